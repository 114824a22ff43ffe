/**
 * What the cost model cannot measure on one machine without AWS, each with why it is set so. Everything else it uses
 * is measured in the same bench run (bench/cost/measure-*.ts) or read from the synthesized app (deployment.ts). A
 * function's billed duration is its measured CPU time plus these waits for the services it calls.
 */
export const ASSUMPTIONS = {
  /** One DynamoDB GetItem, PutItem, UpdateItem or Query from Lambda in-region (DynamoDB: "single-digit millisecond"). */
  dynamoCallMs: 8,
  /** One S3 PutObject of a small Parquet file from Lambda in-region. */
  s3PutMs: 30,
  /** One S3 GetObject, DeleteObject or ListObjectsV2 page of the compaction (it makes them one after another). */
  s3RequestMs: 30,
  /** One EventBridge PutEvents or Step Functions StartExecution call. */
  awsApiCallMs: 20,
  /**
   * One Athena query from start to results as a function waits for it (StartQueryExecution, polling, GetQueryResults):
   * small partition-pruned queries typically take 1-3 s, queueing included.
   */
  athenaQueryMs: 2_500,
  /** One Zoom REST API call (OAuth token cached), as a poller or the correlation waits for it. */
  zoomCallMs: 300,
  /** Items per Zoom listing page (the clients ask for page_size=300, Zoom's maximum). */
  zoomPageSize: 300,
  /**
   * Writer invocations per batching window: the event source mapping's maximum concurrency (each concurrent poller
   * invokes once per window while events arrive). Upper bound on files per partition; at 100,000 events a day every
   * window has events.
   */
  writerInvocationsPerWindow: 'maxConcurrency' as const,
  /**
   * Realtime events per invocation: the queue has no batching window, and at a few events a second each poll
   * usually returns one message.
   */
  realtimeEventsPerInvocation: 1,
  /** Idle long polls of one SQS event source mapping: Lambda keeps about five pollers, each polling every 20 s. */
  sqsIdleReceivesPerDay: 5 * 3 * 60 * 24,
  /**
   * KMS calls per customer-managed-key user (queue, log group, table, topic, bucket with a bucket key) a day: about one
   * data-key request per five minutes while it is used (SQS reuses a data key 300 s by default; S3 bucket keys and
   * CloudWatch Logs cache theirs similarly).
   */
  kmsCallsPerUserPerDay: 288,
  /** Lambda's own log lines per invocation with the JSON log format (platform.start and platform.report). */
  lambdaPlatformLogBytes: 700,
  /** One application log line (Powertools JSON: level, message, timestamp, service, request id, the fields). */
  appLogLineBytes: 400,
  /** One EMF metrics line. */
  emfLineBytes: 350,
  /** One API Gateway access-log line in the stage's JSON format (15 fields). */
  apiAccessLogBytes: 450,
  /** One Step Functions log event at level ALL without execution data; about two per state entered. */
  sfnLogEventBytes: 350,
  sfnLogEventsPerState: 2,
  /** Stored CloudWatch Logs are billed compressed; JSON log lines compress about this much. */
  logCompression: 0.15,
  /** One S3 server access log record (the documented space-separated format). */
  s3AccessLogRecordBytes: 400,
  /**
   * Athena (Trino) reads a Parquet file smaller than its small-file threshold (3 MB) in one GET, whole: the billed
   * bytes are then the file's, not only the columns read (trinodb/trino#19127 "Avoid multiple read requests on small
   * parquet files"; verify against Athena's own engine). Bigger files: one GET for the footer and one per column read.
   */
  athenaSmallFileBytes: 3 * 1024 * 1024,
  /** Athena lists each partition prefix it reads once per scan. */
  athenaListsPerPartition: 1,
  /** Athena writes a result file and its metadata per query. */
  athenaResultPutsPerQuery: 2,
  athenaResultBytesPerQuery: 4_096,
  /** Glue Data Catalog calls per table a query names (GetTable for the view and the raw table it reads). */
  glueCallsPerScan: 2,
  /** The month modelled: the sixth after deployment, when the lake holds six months (the volume's "6 months kept"). */
  monthsRunning: 6,
  /**
   * Share of the scheduled detections that raise at least one alert in a month: the runner emits AlertsRaised only
   * above zero, and CloudWatch bills a metric only in a month it receives data (a guess; the benign demo raises none).
   */
  detectionsAlertingShare: 0.5,
  /** DynamoDB item overhead besides attribute names and values (per item). */
  dynamoItemOverheadBytes: 100,
} as const;
