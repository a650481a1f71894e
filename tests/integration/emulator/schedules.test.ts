/**
 * Schedule / ScheduleV2 events run on their timetable while start / start-api runs: the template's
 * rate and cron schedules fire (at --time-scale 0.001 a minute is 60 ms), with their Input or
 * EventBridge's "Scheduled Event" payload, through the async queue; a disabled schedule does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledEventsOf } from '../../../src/local/schedules/scheduledEvents';
import { startSchedules, type RunningSchedules } from '../../../src/local/schedules/scheduleRunner';
import { TEST_TIME_SCALE, trafficEmulator, type TrafficRig } from './trafficFixtures';

describe('the template\'s schedules fire while the emulator runs', () => {
  let rig: TrafficRig;
  let running: RunningSchedules;

  beforeAll(() => {
    rig = trafficEmulator();
  });
  afterAll(async () => {
    running?.stop();
    await rig?.emulator.stop();
  });

  it('reads Schedule and ScheduleV2 events from the template', () => {
    const schedules = scheduledEventsOf(rig.emulator.template);
    expect(schedules.map((s) => [s.functionId, s.eventName, s.type, s.expression.text, s.enabled])).toEqual([
      ['RecorderFunction', 'EveryMinute', 'Schedule', 'rate(1 minute)', true],
      ['RecorderFunction', 'CronEveryMinute', 'ScheduleV2', 'cron(* * * * ? *)', true],
      ['RecorderFunction', 'Paused', 'Schedule', 'rate(1 minute)', false],
    ]);
  });

  it('fires the rate and cron schedules with their payloads, and never the disabled one', async () => {
    running = startSchedules({
      schedules: scheduledEventsOf(rig.emulator.template),
      region: rig.emulator.template.region,
      invokeEvent: (fn, payload) => rig.emulator.invokeEvent(fn, payload),
      timeScale: TEST_TIME_SCALE,
      log: (line) => rig.lines.push(line),
    });
    await expect.poll(() => rig.records().filter((r) => r.event?.source === 'rate-schedule').length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => rig.records().filter((r) => r.event?.source === 'aws.scheduler').length, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(1);
    running.stop();
    await rig.emulator.drainAsync();
    const cron = rig.records().find((r) => r.event?.source === 'aws.scheduler')!;
    expect(cron.event).toMatchObject({ 'detail-type': 'Scheduled Event', resources: [expect.stringMatching(/:schedule\/default\/RecorderFunction-CronEveryMinute$/)] });
    expect(rig.records().some((r) => r.event?.source === 'disabled-schedule')).toBe(false);
    expect(running.fired.get('RecorderFunction.Paused')).toBeUndefined();
  });
});
