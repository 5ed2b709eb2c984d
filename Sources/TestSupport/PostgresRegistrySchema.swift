/// The beacon registry's `events` table in PostgreSQL, as docs/SOURCES-postgres.md ships it
/// (a test holds the two to the same text): the SQLite registry's columns in PostgreSQL's types,
/// plus the `txid` column the txid rule reads by.
public enum PostgresRegistrySchema {
    public static let ddl = """
        CREATE TABLE events (
            id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            txid                xid8   NOT NULL DEFAULT pg_current_xact_id(),
            token_id            text   NOT NULL,
            file_id             text,
            recipient_id        text,
            issuer_id           text,
            kind                text   NOT NULL,
            source_ip           text,
            user_agent          text,
            extra               text,
            timestamp           bigint NOT NULL,
            qualified_timestamp text,
            tlog_index          bigint
        );
        CREATE INDEX events_txid_id ON events (txid, id);
        CREATE INDEX events_token ON events (token_id);
        CREATE INDEX events_file ON events (file_id);
        """
}
