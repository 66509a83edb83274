/** A `--signals` file that cannot be used; the message is one line naming the file (exit code 2). */
export class SignalsFileError extends Error {}
