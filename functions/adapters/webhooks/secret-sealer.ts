/**
 * Webhook secrets at rest (SecretSealer):
 * - deployed: AWS KMS Encrypt/Decrypt under the stack's webhook key, with the webhook and user ids as the
 *   encryption context (a sealed secret copied to another item does not open); opened secrets are cached
 *   per execution environment, so a delivery costs no KMS call after the first of its webhook;
 * - locally: AES-256-GCM with a key kept under .local/ (functions/local/local-secret.ts), the same ids as
 *   additional authenticated data.
 * Sealed values carry a scheme prefix (`kms:` / `aesgcm:`), so the reader needs no setting to tell them apart.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecretSealer } from '../../usecases/webhooks/ports.ts';

export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

const aad = (context: Record<string, string>) =>
  Buffer.from(
    Object.keys(context)
      .sort()
      .map((key) => `${key}=${context[key]}`)
      .join('&'),
  );

/** AES-256-GCM under a key derived from `secret` (at least 16 characters). */
export class AesGcmSealer implements SecretSealer {
  readonly #key: Buffer;
  constructor(secret: string) {
    if (secret.length < 16)
      throw new SealedSecretError('the webhook sealing secret must be at least 16 characters');
    this.#key = createHash('sha256').update(`webhook-secrets:${secret}`).digest();
  }

  async seal(secret: string, context: Record<string, string>): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(aad(context));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `aesgcm:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  async open(sealed: string, context: Record<string, string>): Promise<string> {
    if (!sealed.startsWith('aesgcm:')) throw new SealedSecretError('not sealed with the local key');
    const data = Buffer.from(sealed.slice('aesgcm:'.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(0, 12));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** KMS through the AWS SDK, loaded only where secrets are really sealed with KMS. */
export class KmsSealer implements SecretSealer {
  readonly #opened = new Map<string, Promise<string>>();
  constructor(private readonly keyId: string) {}

  async seal(secret: string, context: Record<string, string>): Promise<string> {
    const { KMSClient, EncryptCommand } = await import('@aws-sdk/client-kms');
    const { CiphertextBlob } = await new KMSClient({}).send(
      new EncryptCommand({ KeyId: this.keyId, Plaintext: Buffer.from(secret), EncryptionContext: context }),
    );
    if (!CiphertextBlob) throw new SealedSecretError('KMS returned no ciphertext');
    return `kms:${Buffer.from(CiphertextBlob).toString('base64')}`;
  }

  open(sealed: string, context: Record<string, string>): Promise<string> {
    const cached = this.#opened.get(sealed);
    if (cached) return cached;
    const opening = this.#decrypt(sealed, context).catch((error: unknown) => {
      this.#opened.delete(sealed);
      throw error;
    });
    this.#opened.set(sealed, opening);
    return opening;
  }

  async #decrypt(sealed: string, context: Record<string, string>): Promise<string> {
    if (!sealed.startsWith('kms:')) throw new SealedSecretError('not sealed with KMS');
    const { KMSClient, DecryptCommand } = await import('@aws-sdk/client-kms');
    const { Plaintext } = await new KMSClient({}).send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(sealed.slice('kms:'.length), 'base64'),
        EncryptionContext: context,
      }),
    );
    if (!Plaintext) throw new SealedSecretError('KMS returned no plaintext');
    return Buffer.from(Plaintext).toString('utf8');
  }
}
