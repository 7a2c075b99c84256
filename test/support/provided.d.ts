import 'vitest';

// Values the global setup (test/support/global-setup.ts) hands to every integration and e2e test file.
declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
  }
}
