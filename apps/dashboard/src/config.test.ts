import { ConfigError } from '@cronfleet/core';
import { describe, expect, it } from 'vitest';
import { isOpen, listenHost, loadDashboardConfig } from './config.js';

const TOKEN = 'a'.repeat(32);

describe('loadDashboardConfig', () => {
  it('defaults: port 3000, no auth, loopback only', () => {
    const config = loadDashboardConfig({});
    expect(config).toMatchObject({
      DASHBOARD_PORT: 3000,
      SCHEDULER_POLL_MS: 1_000,
      QUEUE_PREFIX: 'cronfleet',
    });
    expect(isOpen(config)).toBe(true);
    expect(listenHost(config)).toBe('127.0.0.1');
  });

  it('with a token it listens everywhere unless DASHBOARD_HOST says otherwise', () => {
    expect(listenHost(loadDashboardConfig({ DASHBOARD_TOKEN: TOKEN }))).toBe('0.0.0.0');
    expect(listenHost(loadDashboardConfig({ DASHBOARD_VIEWER_TOKEN: TOKEN }))).toBe('0.0.0.0');
    const config = loadDashboardConfig({ DASHBOARD_TOKEN: TOKEN, DASHBOARD_HOST: '10.0.0.5' });
    expect(listenHost(config)).toBe('10.0.0.5');
    expect(isOpen(config)).toBe(false);
    expect(listenHost(loadDashboardConfig({ DASHBOARD_HOST: '::1' }))).toBe('::1');
  });

  it.each([
    [{ DASHBOARD_TOKEN: 'short' }, 'DASHBOARD_TOKEN', 'at least 16 characters'],
    [
      { DASHBOARD_TOKEN: TOKEN, DASHBOARD_VIEWER_TOKEN: TOKEN },
      'DASHBOARD_VIEWER_TOKEN',
      'must differ',
    ],
    [{ DASHBOARD_HOST: '0.0.0.0' }, 'DASHBOARD_HOST', 'set DASHBOARD_TOKEN'],
    [{ DASHBOARD_PORT: 'http' }, 'DASHBOARD_PORT', 'port number'],
    [{ DASHBOARD_TRUST_PROXY: 'sometimes' }, 'DASHBOARD_TRUST_PROXY', 'true or false'],
  ])('%o is refused, naming %s', (env, variable, hint) => {
    let error: unknown;
    try {
      loadDashboardConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues.find((i) => i.variable === variable);
    expect(issue?.message).toContain(hint);
    // Secrets are never echoed back.
    expect((error as ConfigError).message).not.toContain(TOKEN);
  });
});
