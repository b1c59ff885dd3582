/**
 * Typed user errors and the exit codes of CONTRACT §7. A user error prints one line and no
 * stack; anything else is a bug and prints its stack. Only `cli/main.ts` catches them.
 */

export const EXIT_OK = 0;
export const EXIT_POLICY = 1;
export const EXIT_FAILED = 2;

/** A mistake of the user's: bad usage, config, input or store. Printed as one line. */
export class UserError extends Error {
  readonly exitCode: number = EXIT_FAILED;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends UserError {}

/** An input that cannot be read or holds nothing usable. */
export class InputError extends UserError {}

/** The store cannot be opened, is busy, or is damaged. */
export class StoreError extends UserError {}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
