/** Nothing to prepare yet beyond the build; model fixtures are built per spec (see fixtures.ts). */
export default async function globalSetup(): Promise<void> {}
