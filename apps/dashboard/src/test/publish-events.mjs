// Publishes messages on a Redis channel from a process of its own, as a worker does:
//   node publish-events.mjs <redis-url> <channel> <message>...
import process from 'node:process';
import { Redis } from 'ioredis';

const [url, channel, ...messages] = process.argv.slice(2);
if (!url || !channel) {
  process.stderr.write('usage: publish-events.mjs <redis-url> <channel> <message>...\n');
  process.exit(2);
}
const redis = new Redis(url, { maxRetriesPerRequest: 1 });
try {
  for (const message of messages) {
    const receivers = await redis.publish(channel, message);
    process.stdout.write(`published to ${receivers} subscriber(s)\n`);
  }
} finally {
  await redis.quit();
}
