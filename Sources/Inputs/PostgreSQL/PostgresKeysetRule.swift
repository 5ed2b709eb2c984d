/// How a keyset read makes sure that no row is skipped when ids commit out of order.
///
/// A sequence hands out ids when a row is inserted, not when it commits: transaction A can take
/// id 10, B id 11, B commit first, and a reader that saw 11 and moved its cursor past it never
/// sees 10. Each rule closes that gap differently; `PostgresKeysetReader` shows the SQL of each,
/// and PostgresTests holds the test that proves it.
public enum PostgresKeysetRule: Sendable, Equatable {
    /// The table has an `xid8` column filled by `DEFAULT pg_current_xact_id()`; rows are read in
    /// `(txid, id)` order, only from transactions older than the snapshot's `xmin` (all of which
    /// have ended). Never blocks a writer and works on a hot standby. The cursor is the pair.
    case txidColumn(String)
    /// Ids come from `DEFAULT nextval(sequence)` inside the `INSERT`, with the sequence's
    /// `CACHE 1` (the default). Each round reads the sequence's last value, then takes and releases
    /// `LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE`, which waits until every transaction that was
    /// writing the table has ended, and then reads up to that value. Briefly blocks writers, needs
    /// a table privilege that allows that lock (UPDATE, DELETE or TRUNCATE), and cannot run on a
    /// hot standby. `nil` takes the id column's own sequence (`pg_get_serial_sequence`).
    case lockBarrier(sequence: String?)
    /// Plain `id > cursor`: correct only when one transaction at a time writes the table. A row
    /// whose id commits after a higher one is skipped for good (a test shows it); a config has to
    /// say explicitly that it accepts that.
    case unsafeIDOrder
}
