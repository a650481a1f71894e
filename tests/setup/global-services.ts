// Placeholder: the local-services work replaces this with a setup that starts S3, DynamoDB Local
// and the Bedrock emulator once per run and provides their endpoints to the tests.
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
