/**
 * Microseconds of this process's CPU (all its threads: `process.cpuUsage`) per call of `work`,
 * awaited `times` times in a row: the in-process benches' unit, steadier than wall time on a
 * shared machine.
 */
export const cpuMicrosPerCall = async (times: number, work: () => unknown): Promise<number> => {
  const start = process.cpuUsage()
  for (let i = 0; i < times; i++) await work()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / times
}
