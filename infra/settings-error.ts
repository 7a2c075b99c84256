/** A setting (stack property or context value) that cannot be deployed; thrown at synth time. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}
