import { describe, expect, it } from 'vitest';
import type { Cadence } from './cadence.js';
import { applyOverlap, type InFlight, type OverlapPolicy } from './overlap.js';
import { planFirst, planSlots, type SlotPolicyInput } from './policy.js';

const t = (iso: string) => new Date(`2026-06-01T${iso}Z`);
const iso = (d: Date | null) => d?.toISOString().slice(11, 19) ?? null;
const slots = ['10:00:00', '10:01:00', '10:02:00'].map(t);
const idle: InFlight = { running: 0, waiting: 0 };

describe('applyOverlap', () => {
  it.each<[OverlapPolicy, InFlight, string, boolean]>([
    ['allow', idle, 'PPP', false],
    ['allow', { running: 3, waiting: 2 }, 'PPP', false],
    ['skip', idle, 'PSS', false],
    ['skip', { running: 1, waiting: 0 }, 'SSS', false],
    ['skip', { running: 0, waiting: 1 }, 'SSS', false],
    ['buffer_one', idle, 'PPS', false],
    ['buffer_one', { running: 1, waiting: 0 }, 'PSS', false],
    ['buffer_one', { running: 0, waiting: 1 }, 'PSS', false],
    ['buffer_one', { running: 1, waiting: 1 }, 'SSS', false],
    ['cancel_previous', idle, 'SSP', false],
    ['cancel_previous', { running: 1, waiting: 0 }, 'SSP', true],
  ])('%s with %o → %s (cancel %s)', (policy, inFlight, expected, cancel) => {
    const out = applyOverlap(policy, inFlight, slots);
    expect(out.decisions.map((d) => (d.status === 'pending' ? 'P' : 'S')).join('')).toBe(expected);
    expect(
      out.decisions.filter((d) => d.status === 'skipped').every((d) => d.reason === 'overlap'),
    ).toBe(true);
    expect(out.cancelActive).toBe(cancel);
  });

  it('rejects an unknown policy', () => {
    expect(() => applyOverlap('queue' as OverlapPolicy, idle, slots)).toThrow(
      /overlap policy must be/,
    );
  });
});

const minute: Cadence = { kind: 'interval', seconds: 60 };
const base = (over: Partial<SlotPolicyInput>): SlotPolicyInput => ({
  cadence: minute,
  due: t('10:00:00'),
  now: t('10:00:00.200'),
  catchup: { catchup: 'latest', maxCatchup: 100 },
  overlap: 'allow',
  inFlight: idle,
  ...over,
});
const outage = { due: t('08:00:00'), now: t('10:00:30') }; // 121 slots missed, 08:00 … 10:00

describe('planSlots', () => {
  it.each<
    [
      string,
      Partial<SlotPolicyInput>,
      { pending: number; skipped: number; next: string | null; completed?: string },
    ]
  >([
    ['on time', {}, { pending: 1, skipped: 0, next: '10:01:00' }],
    [
      'outage, skip',
      { ...outage, catchup: { catchup: 'skip', maxCatchup: 100 } },
      { pending: 0, skipped: 1, next: '10:01:00' },
    ],
    ['outage, latest', outage, { pending: 1, skipped: 0, next: '10:01:00' }],
    [
      'outage, all capped',
      { ...outage, catchup: { catchup: 'all', maxCatchup: 100 } },
      { pending: 100, skipped: 0, next: '10:01:00' },
    ],
    [
      'outage, all with overlap skip',
      { ...outage, catchup: { catchup: 'all', maxCatchup: 100 }, overlap: 'skip' },
      { pending: 1, skipped: 99, next: '10:01:00' },
    ],
    [
      'busy, overlap skip',
      { overlap: 'skip', inFlight: { running: 1, waiting: 0 } },
      { pending: 0, skipped: 1, next: '10:01:00' },
    ],
    ['window not open', { startsAt: t('12:00:00') }, { pending: 0, skipped: 0, next: '12:00:00' }],
    [
      'window closes',
      { endsAt: t('10:00:30') },
      { pending: 1, skipped: 0, next: null, completed: 'ends_at' },
    ],
    [
      'last allowed run',
      { maxRuns: 5, runCount: 4 },
      { pending: 1, skipped: 0, next: null, completed: 'max_runs' },
    ],
    [
      'max_runs caps catch-up',
      { ...outage, catchup: { catchup: 'all', maxCatchup: 100 }, maxRuns: 10, runCount: 7 },
      { pending: 3, skipped: 0, next: null, completed: 'max_runs' },
    ],
    ['runs left', { maxRuns: 5, runCount: 1 }, { pending: 1, skipped: 0, next: '10:01:00' }],
  ])('%s', (_name, input, expected) => {
    const plan = planSlots(base(input));
    expect({
      pending: plan.runs.filter((r) => r.status === 'pending').length,
      skipped: plan.runs.filter((r) => r.status === 'skipped').length,
      next: iso(plan.next),
      ...(plan.completed ? { completed: plan.completed } : {}),
    }).toEqual(expected);
  });

  it('says on the run what catch-up left out', () => {
    const latest = planSlots(base(outage));
    expect(latest.runs[0]).toMatchObject({
      status: 'pending',
      reason: 'catchup: 120 missed slots not run (catch-up latest)',
    });
    const all = planSlots(base({ ...outage, catchup: { catchup: 'all', maxCatchup: 100 } }));
    expect(all.runs[0]!.reason).toBe(
      'catchup: 21 missed slots not run (catch-up all, max_catchup 100)',
    );
    expect(iso(all.runs[0]!.slot)).toBe('08:21:00');
    const skip = planSlots(base({ ...outage, catchup: { catchup: 'skip', maxCatchup: 100 } }));
    expect(skip.runs).toEqual([
      {
        slot: t('10:00:00'),
        status: 'skipped',
        reason: 'catchup: 121 missed slots not run (catch-up skip)',
      },
    ]);
  });

  it('cancels runs in flight under cancel_previous', () => {
    const plan = planSlots(
      base({ overlap: 'cancel_previous', inFlight: { running: 1, waiting: 0 } }),
    );
    expect(plan.cancelActive).toBe(true);
    expect(plan.runs.map((r) => r.status)).toEqual(['pending']);
  });
});

describe('planFirst', () => {
  it.each<[string, { startsAt?: Date; endsAt?: Date }, string | null]>([
    ['no window', {}, '10:01:00'],
    ['window opens later', { startsAt: t('11:30:00') }, '11:30:00'],
    ['window opens off-grid', { startsAt: t('11:30:30') }, '11:31:00'],
    ['window already closed', { endsAt: t('10:00:30') }, null],
  ])('%s', (_name, window, expected) => {
    expect(iso(planFirst(minute, t('10:00:30'), window).next)).toBe(expected);
  });
});
