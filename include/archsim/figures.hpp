// The names of the figures particular to a kind (ComponentResult::figures,
// ComponentTick::figures, shard figures): one constant per name, written by
// the model and read by the reports, the cost and the view, so that a
// renamed figure is a compile error rather than a silently missing value.
#pragma once

namespace archsim::fig {

inline constexpr char kBlocked[] = "blocked";
// Keyed caches and CDNs with a breaking story (`hot`) or source updates.
inline constexpr char kHotRequests[] = "hot_requests";
inline constexpr char kHotFetches[] = "hot_fetches";
inline constexpr char kPeakFetchRate[] = "peak_fetch_rate";
inline constexpr char kUpdates[] = "updates";
inline constexpr char kPurges[] = "purges";
inline constexpr char kStaleServes[] = "stale_serves";
inline constexpr char kStaleServeRatio[] = "stale_serve_ratio";
inline constexpr char kBreakerOpened[] = "breaker_opened";
inline constexpr char kBreakerRefused[] = "breaker_refused";
inline constexpr char kCoalesced[] = "coalesced";
inline constexpr char kConnectionsRefused[] = "connections_refused";
inline constexpr char kDeadLetters[] = "dead_letters";
inline constexpr char kDelayMs[] = "delay_ms";
inline constexpr char kDelayP99Ms[] = "delay_p99_ms";
inline constexpr char kDropped[] = "dropped";
inline constexpr char kDuplicates[] = "duplicates";
inline constexpr char kEgressGbps[] = "egress_gbps";
inline constexpr char kEjections[] = "ejections";
inline constexpr char kEntries[] = "entries";
inline constexpr char kEvictions[] = "evictions";
inline constexpr char kExpirations[] = "expirations";
inline constexpr char kFailovers[] = "failovers";
inline constexpr char kFallbacks[] = "fallbacks";
inline constexpr char kHedges[] = "hedges";
inline constexpr char kHitRatio[] = "hit_ratio";
inline constexpr char kHits[] = "hits";
inline constexpr char kInvalidations[] = "invalidations";
inline constexpr char kLagMaxMessages[] = "lag_max_messages";
inline constexpr char kLagMaxS[] = "lag_max_s";
inline constexpr char kLagMessages[] = "lag_messages";
inline constexpr char kLagS[] = "lag_s";
inline constexpr char kMisses[] = "misses";
inline constexpr char kOriginErrors[] = "origin_errors";
inline constexpr char kOriginFetchMs[] = "origin_fetch_ms";
inline constexpr char kOriginFetches[] = "origin_fetches";
inline constexpr char kOriginGbps[] = "origin_gbps";
inline constexpr char kPoolExhausted[] = "pool_exhausted";
inline constexpr char kPoolWaitMs[] = "pool_wait_ms";
inline constexpr char kPoolWaitP99Ms[] = "pool_wait_p99_ms";
inline constexpr char kPoolWaiting[] = "pool_waiting";
inline constexpr char kPrimariesDown[] = "primaries_down";
inline constexpr char kProcessed[] = "processed";
inline constexpr char kPublished[] = "published";
inline constexpr char kReads[] = "reads";
inline constexpr char kRedeliveries[] = "redeliveries";
inline constexpr char kReplicaReads[] = "replica_reads";
inline constexpr char kReplicas[] = "replicas";
inline constexpr char kReplicasAtEnd[] = "replicas_at_end";
/// Tick figure of a service or database a `resize` changed: its workers per
/// replica (per node) at the tick's end (absent: the design's).
inline constexpr char kWorkersNow[] = "workers";
inline constexpr char kReplicationLagMs[] = "replication_lag_ms";
inline constexpr char kRequests[] = "requests";
inline constexpr char kRetries[] = "retries";
inline constexpr char kRetriesDeniedByBudget[] = "retries_denied_by_budget";
inline constexpr char kShed[] = "shed";
inline constexpr char kStaleReadRatio[] = "stale_read_ratio";
inline constexpr char kStaleReads[] = "stale_reads";
inline constexpr char kStalenessMs[] = "staleness_ms";
inline constexpr char kStalenessP99Ms[] = "staleness_p99_ms";
inline constexpr char kHeapFill[] =
    "heap_fill";                                ///< a leaking service: the fullest replica's live heap, 0..1
inline constexpr char kGcShare[] = "gc_share";  ///< and the share of its time in GC pauses
inline constexpr char kLostWrites[] =
    "lost_writes";  ///< acknowledged writes that lost last-writer-wins to a concurrent one
/// A database with `mirror:`: writes it committed that its mirror never got
/// and that no outbox still holds (model/mirror.hpp).
inline constexpr char kInconsistentWrites[] = "inconsistent_writes";
/// And those an outbox still holds at the end (delayed, not lost).
inline constexpr char kMirrorPending[] = "mirror_pending";
inline constexpr char kUnavailable[] = "unavailable";  ///< quorum requests refused: too few replicas up
inline constexpr char kStores[] = "stores";
inline constexpr char kWrites[] = "writes";
/// Per tick, the state of a service's breaker for calls to a target:
/// kBreakerPrefix + the target's name (0 closed, 1 open, 2 half open).
inline constexpr char kBreakerPrefix[] = "breaker_";

}  // namespace archsim::fig
