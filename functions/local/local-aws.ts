/**
 * The region and credentials of every client of the local emulators. They accept any credentials; fixed
 * ones keep the SDK from searching the environment (and from ever reaching a real account).
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const localClientConfig = (endpoint: string) => ({
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  endpoint,
});
