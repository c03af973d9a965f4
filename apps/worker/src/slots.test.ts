import { describe, expect, it } from 'vitest';
import { createHandlerSlots } from './slots.js';

describe('handler slots', () => {
  it('grants slots at once while one is free, then in the order jobs asked', async () => {
    const slots = createHandlerSlots(2);
    expect(slots.take()).toBe(true);
    expect(slots.take()).toBe(true);
    expect(slots.busy).toBe(2);

    const order: string[] = [];
    const third = slots.take();
    const fourth = slots.take();
    expect(third).toBeInstanceOf(Promise);
    expect(slots.waiting).toBe(2);
    void (third as Promise<boolean>).then((got) => order.push(`third ${got}`));
    void (fourth as Promise<boolean>).then((got) => order.push(`fourth ${got}`));

    slots.give();
    await Promise.resolve();
    expect(order).toEqual(['third true']);
    expect(slots.busy).toBe(2);
    slots.give();
    await Promise.resolve();
    expect(order).toEqual(['third true', 'fourth true']);

    slots.give();
    slots.give();
    expect(slots.busy).toBe(0);
  });

  it('answers false to the jobs waiting and to every later ask once closed', async () => {
    const slots = createHandlerSlots(1);
    expect(slots.take()).toBe(true);
    const waiting = slots.take();
    expect(slots.closed).toBe(false);
    slots.close();
    expect(slots.closed).toBe(true);
    await expect(waiting).resolves.toBe(false);
    await expect(slots.take()).resolves.toBe(false);
    // The running handler's slot still comes back, and nothing is handed on.
    slots.give();
    expect(slots.busy).toBe(0);
    slots.give();
    expect(slots.busy).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s slots', (size) => {
    expect(() => createHandlerSlots(size)).toThrow(/at least 1/);
  });
});
