/** Options every command accepts (CONTRACT §5), read with `command.optsWithGlobals()`. */
export interface GlobalOptions {
  readonly env?: string;
  readonly config?: string;
}
