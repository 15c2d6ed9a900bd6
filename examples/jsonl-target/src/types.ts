/** The typed settings of one `notify_jsonl` target. */
export interface JsonlConfig {
  /** Absolute path of the JSON Lines file; its folder is created by `open()`. */
  readonly path: string;
  /** Flush the file to disk after every batch (`fsync` key, `on`/`off`). */
  readonly fsync: boolean;
}
