import crypto from 'node:crypto';

/**
 * Lets s3rver 3.7 paginate on OpenSSL 3. It seals ListObjectsV2 continuation tokens with single DES, which OpenSSL 3
 * only ships in its legacy provider, so every truncated listing fails with InternalError. Triple DES with the key
 * repeated three times is the same cipher as single DES (encrypt-decrypt-encrypt cancels out), so this swaps the
 * algorithm for s3rver's 8-byte key and leaves every other call untouched. Returns a function that undoes it.
 */
export function installS3rverDesShim(): () => void {
  const { createCipheriv, createDecipheriv } = crypto;
  const widen = (algorithm: string, key: crypto.CipherKey): [string, crypto.CipherKey] =>
    algorithm === 'des' && Buffer.isBuffer(key) && key.length === 8 ? ['des-ede3-cbc', Buffer.concat([key, key, key])] : [algorithm, key];
  crypto.createCipheriv = ((algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
    createCipheriv(...widen(algorithm, key), iv)) as typeof crypto.createCipheriv;
  crypto.createDecipheriv = ((algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
    createDecipheriv(...widen(algorithm, key), iv)) as typeof crypto.createDecipheriv;
  return () => {
    crypto.createCipheriv = createCipheriv;
    crypto.createDecipheriv = createDecipheriv;
  };
}
