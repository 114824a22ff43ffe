/** A configured table or view of data-access events and its columns (config `correlation.dataAccess`). */
export interface DataAccessSource {
  /** Lower-case SQL identifiers, validated by the config schema (checked again before they go into SQL). */
  readonly table: string;
  readonly userColumn: string;
  readonly timeColumn: string;
  readonly resourceColumn: string;
}

/** What the steps read from the configuration (config key `correlation`); thresholds are detection parameters. */
export interface CorrelationSettings {
  readonly enabled: boolean;
  readonly waitSeconds: number;
  readonly notReadyRetries: number;
  readonly notReadyIntervalSeconds: number;
  readonly dataAccess?: DataAccessSource | undefined;
}
