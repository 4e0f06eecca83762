/** JVM options that make the stack's services start faster (pure: versions and paths in). */

/**
 * Class-data sharing: the classes a service loads are archived on its first run (written when
 * it exits) and mapped from the archive on later runs, which saves most of a warm start's
 * class loading. Java 19+ keeps the archive valid by itself; 13–18 are told which step to take.
 */
export function classDataSharingArgs(
  javaMajor: number,
  archive: string,
  archiveExists: boolean,
): string[] {
  if (javaMajor >= 19) return ["-XX:+AutoCreateSharedArchive", `-XX:SharedArchiveFile=${archive}`];
  if (javaMajor >= 13) {
    return [
      archiveExists ? `-XX:SharedArchiveFile=${archive}` : `-XX:ArchiveClassesAtExit=${archive}`,
    ];
  }
  return [];
}

/**
 * For services that carry little load (Connect, the registry): the C1 compiler only and the
 * serial collector, which start in about half the CPU time. The broker keeps the defaults.
 */
export const LIGHT_SERVICE_ARGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/** A JVM writes its first class-data archive while it exits, which takes a while on a busy machine. */
export const JVM_STOP_TIMEOUT_MS = 60_000;

/** Where a service's class-data archive lives: in the stack's own directory. */
export function archivePath(stackDir: string, service: string): string {
  return `${stackDir}/jvm/${service}.jsa`;
}

/** The class-data sharing options of a service, creating the archive's directory. */
export async function sharedArchiveArgs(
  stackDir: string,
  service: string,
  javaMajor: number,
): Promise<string[]> {
  const archive = archivePath(stackDir, service);
  await Deno.mkdir(`${stackDir}/jvm`, { recursive: true });
  const exists = await Deno.stat(archive).then((s) => s.size > 0, () => false);
  return classDataSharingArgs(javaMajor, archive, exists);
}
