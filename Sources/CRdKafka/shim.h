#include <librdkafka/rdkafka.h>
// The mock cluster (tests only): rdkafka_mock.h must come after rdkafka.h. Its variadic
// rd_kafka_mock_push_request_errors has an array form, rd_kafka_mock_push_request_errors_array,
// which Swift can call.
#include <librdkafka/rdkafka_mock.h>

// Macros with casts or comments inside, which Swift may not import, as typed constants.
static const int32_t siem_rd_kafka_partition_unassigned = RD_KAFKA_PARTITION_UA;
static const int siem_rd_kafka_msg_f_copy = RD_KAFKA_MSG_F_COPY;
static const int siem_rd_kafka_purge_queue_and_in_flight = RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT;
