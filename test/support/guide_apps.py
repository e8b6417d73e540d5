#!/usr/bin/python3
# The guide's own Python patterns (../../../shared/seed/ucore-event-driven-guide.md), written as the guide writes them,
# on redis-py (Debian's python3-redis; run with /usr/bin/python3, which `node scripts/ensure-setup.mjs` equips).
# test/core/guide-python-interop.test.ts runs them against the `ucore` CLI on one redis-server, both directions.
#
# The classes below are the guide's code with only what it leaves undefined filled in: `App` and the logger, the
# framework's RedisAdapter (here a thin layer over redis.asyncio with the guide's method names), Saga.save_checkpoint
# and EventMonitor.send_alert; the Redis URL is a parameter where the guide hard-codes localhost:6379. Wire formats are the guide's, untouched: json.dumps defaults (ensure_ascii, ", " and
# ": " separators), XADD event_store * event <json>, PUBLISH events, INCR event_counts:{channel}:{type},
# EXISTS/SETEX event_idempotent:{fingerprint}, saga events on saga_events.
#
# Command line (one action a run, JSON on stdout; events are JSON text, json.loads'ed as a Python service would):
#   save         --url U --event JSON [--event JSON ...]  EventStore.save_event each; prints [{id, event}] (event: the text stored)
#   entity       --url U --entity ID [--entity ID ...]    EventStore.get_events_for_entity each; prints {ID: [events]}
#   publish      --url U --channel C --event JSON ...     RedisAdapter.publish_json each; prints {"receivers": [...]}
#   fingerprint  --event JSON [--event JSON ...]          EventDeduplicator.generate_fingerprint each (no Redis); prints [fp, ...]
#   dedup        --url U --event JSON [--event JSON ...]  EventDeduplicator.deduplication_required each; prints
#                                                         [{fingerprint, duplicate, text}] (text: json.dumps, as publish_json sends it)
#   monitor      --url U --count N                        EventMonitor: psubscribe *, print {"ready": true}, handle N events,
#                                                         then print {"handled": N, "stats": get_event_statistics()}
#   saga         --url U --saga-id S --steps a,b,c [--fail-at b]
#                                                         Saga.execute with steps that succeed (or raise at --fail-at);
#                                                         prints {"ok": bool, "published": [saga events], "compensated": [...]}
import argparse
import asyncio
import json
import logging
import sys
from datetime import datetime
from typing import Any, Dict

logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format='%(name)s: %(message)s')


class App:
    """The framework's App, as far as the guide's classes use it: a name and a logger."""

    def __init__(self, name):
        self.name = name
        self.logger = logging.getLogger(name)

    async def astart(self):
        pass


class RedisAdapter:
    """The framework's RedisAdapter, as far as the guide uses it, on redis-py."""

    def __init__(self, url):
        self.url = url
        self.client = None

    async def connect(self):
        import redis.asyncio as aioredis  # here, so the module (and `fingerprint`) loads without redis-py
        self.client = aioredis.from_url(self.url, decode_responses=True)
        await self.client.ping()

    async def close(self):
        if self.client is not None:
            await self.client.close()

    async def publish_json(self, channel, event):
        return await self.client.publish(channel, json.dumps(event))

    async def xadd(self, key, fields):
        return await self.client.xadd(key, fields)

    async def xrange(self, key):
        return await self.client.xrange(key)

    async def incr(self, key):
        return await self.client.incr(key)

    async def get(self, key):
        return await self.client.get(key)

    async def keys(self, pattern):
        return await self.client.keys(pattern)

    async def exists(self, key):
        return await self.client.exists(key)

    async def setex(self, key, ttl, value):
        return await self.client.setex(key, ttl, value)

    async def set(self, key, value):
        return await self.client.set(key, value)

    async def psubscribe(self, pattern, handler, count):
        """Calls `await handler(json.loads(data), channel)` for `count` messages; None once subscribed (readiness)."""
        pubsub = self.client.pubsub()
        await pubsub.psubscribe(pattern)
        handled = 0
        async for message in pubsub.listen():
            if message['type'] == 'psubscribe':
                print(json.dumps({'ready': True}), flush=True)
                continue
            if message['type'] != 'pmessage':
                continue
            try:
                event = json.loads(message['data'])
            except ValueError:
                event = {}
            await handler(event, message['channel'])
            handled += 1
            if handled >= count:
                break
        await pubsub.close()
        return handled


# ---- patterns/event_store.py (the guide's "Event Store Pattern") ----
class EventStore:
    def __init__(self, redis_url):
        self.redis = RedisAdapter(redis_url)
        self.stream_key = "event_store"

    async def save_event(self, event: Dict[str, Any]):
        """Save event to Redis stream for persistence."""
        event_id = event['event_id']
        serialized = json.dumps(event)

        # Use Redis streams for persistence
        stream_id = await self.redis.xadd(self.stream_key, {'event': serialized})

        # Publish to real-time consumers
        await self.redis.publish_json("events", event)
        return stream_id, serialized  # (not in the guide: what the test compares against)

    async def get_events_for_entity(self, entity_id: str):
        """Get all events for a specific entity."""
        # In a real implementation, you'd index events by entity
        all_events = await self.redis.xrange(self.stream_key)
        return [
            json.loads(event_data['event'])
            for event_id, event_data in all_events
            if json.loads(event_data['event']).get('entity_id') == entity_id
        ]


# ---- monitoring/event_monitor.py ----
class EventMonitor(App):
    def __init__(self, redis_url):
        super().__init__("EventMonitor")
        self.redis = RedisAdapter(redis_url)
        self.alerts = []

    async def handle_event(self, event, channel):
        """Monitor and log all events."""
        self.logger.info(f"Event: {channel} -> {event.get('event_type')}")

        # Track event volumes
        event_key = f"event_counts:{channel}:{event.get('event_type')}"
        await self.redis.incr(event_key)

        # Check for abnormal patterns
        count = await self.redis.get(event_key)
        if int(count) > 1000:  # High volume alert
            await self.send_alert("High event volume", channel, event.get('event_type'))

    async def send_alert(self, what, channel, event_type):
        self.alerts.append([what, channel, event_type])

    async def get_event_statistics(self):
        """Get comprehensive event statistics."""
        pattern = "event_counts:*"
        keys = await self.redis.keys(pattern)

        stats = {}
        for key in keys:
            parts = key.split(":")
            channel, event_type = parts[1], parts[2]
            count = await self.redis.get(key)

            if channel not in stats:
                stats[channel] = {}

            stats[channel][event_type] = int(count or 0)

        return stats


# ---- utils/event_deduplicator.py ----
class EventDeduplicator:
    def __init__(self, redis_url, ttl_seconds=3600):
        self.redis = RedisAdapter(redis_url)
        self.ttl = ttl_seconds

    async def deduplication_required(self, event) -> bool:
        """Check if an event is a duplicate."""
        event_fingerprint = self.generate_fingerprint(event)
        key = f"event_idempotent:{event_fingerprint}"

        # Use SETNX to check if key exists
        exists = await self.redis.exists(key)

        if not exists:
            # Set the key with TTL if it's not a duplicate
            await self.redis.setex(key, self.ttl, "1")
            return False

        return True

    @staticmethod
    def generate_fingerprint(event):
        """Generate a unique fingerprint for the event."""
        import hashlib

        # Create a consistent hash based on event content
        event_str = json.dumps({
            'event_type': event.get('event_type'),
            'user_id': event.get('user_id'),
            'entity_id': event.get('entity_id'),
            'data': event.get('data', {}),
        }, sort_keys=True)

        return hashlib.sha256(event_str.encode()).hexdigest()[:32]


# ---- patterns/saga_pattern.py ----
class Saga:
    def __init__(self, saga_id, redis_url):
        self.saga_id = saga_id
        self.redis = RedisAdapter(redis_url)
        self.steps = []
        self.compensation_actions = []
        self.logger = logging.getLogger(f"Saga {saga_id}")

    def add_step(self, step_name, action_func, compensation_func):
        """Add a step to the saga."""
        self.steps.append({
            'name': step_name,
            'action': action_func,
            'compensation': compensation_func,
            'status': 'pending'
        })

    async def save_checkpoint(self, step, index):
        # Left undefined by the guide: the step reached, kept in Redis.
        await self.redis.set(f"saga:{self.saga_id}:checkpoint", json.dumps({'step': step['name'], 'index': index}))

    async def execute(self):
        """Execute the saga."""
        for i, step in enumerate(self.steps):
            try:
                await step['action']()
                step['status'] = 'completed'
                await self.save_checkpoint(step, i)

                # Publish success event
                await self.redis.publish_json("saga_events", {
                    "saga_id": self.saga_id,
                    "step": step['name'],
                    "status": "step_completed",
                    "timestamp": datetime.utcnow().isoformat()
                })

            except Exception as e:
                step['status'] = 'failed'
                await self.compensate_failed_saga(i, e)
                return False

        return True

    async def compensate_failed_saga(self, failed_step_index, error):
        """Execute compensation actions in reverse order."""
        self.logger.error(f"Saga failed at step {failed_step_index}: {error}")

        for i in range(failed_step_index, -1, -1):
            step = self.steps[i]
            if step['status'] == 'completed':
                try:
                    await step['compensation']()
                    step['status'] = 'compensated'
                    self.logger.info(f"Compensated step: {step['name']}")
                except Exception as comp_error:
                    self.logger.error(f"Compensation failed for {step['name']}: {comp_error}")


# ---- the command line the test drives ----
async def run(args):
    events = [json.loads(text) for text in (args.event or [])]
    if args.action == 'fingerprint':
        return [EventDeduplicator.generate_fingerprint(e) for e in events]
    if args.action == 'save':
        store = EventStore(args.url)
        await store.redis.connect()
        out = []
        for e in events:
            stream_id, serialized = await store.save_event(e)
            out.append({'id': stream_id, 'event': serialized})
        await store.redis.close()
        return out
    if args.action == 'entity':
        store = EventStore(args.url)
        await store.redis.connect()
        found = {entity: await store.get_events_for_entity(entity) for entity in args.entity}
        await store.redis.close()
        return found
    if args.action == 'publish':
        redis = RedisAdapter(args.url)
        await redis.connect()
        receivers = [await redis.publish_json(args.channel, e) for e in events]
        await redis.close()
        return {'receivers': receivers}
    if args.action == 'dedup':
        dedup = EventDeduplicator(args.url)
        await dedup.redis.connect()
        out = [{'fingerprint': dedup.generate_fingerprint(e), 'duplicate': await dedup.deduplication_required(e),
                'text': json.dumps(e)} for e in events]
        await dedup.redis.close()
        return out
    if args.action == 'monitor':
        monitor = EventMonitor(args.url)
        await monitor.redis.connect()
        handled = await monitor.redis.psubscribe("*", monitor.handle_event, args.count)
        stats = await monitor.get_event_statistics()
        await monitor.redis.close()
        return {'handled': handled, 'stats': stats, 'alerts': monitor.alerts}
    if args.action == 'saga':
        saga = Saga(args.saga_id, args.url)
        await saga.redis.connect()
        published, compensated = [], []
        publish_json = saga.redis.publish_json

        async def recording_publish(channel, event):
            published.append(event)
            return await publish_json(channel, event)
        saga.redis.publish_json = recording_publish
        for name in args.steps.split(','):
            async def action(name=name):
                if name == args.fail_at:
                    raise RuntimeError(f"{name} failed")

            async def compensation(name=name):
                compensated.append(name)
            saga.add_step(name, action, compensation)
        ok = await saga.execute()
        await saga.redis.close()
        return {'ok': ok, 'published': published, 'compensated': compensated}
    raise SystemExit(f"unknown action {args.action}")


def main():
    p = argparse.ArgumentParser(description="The guide's Python patterns on redis-py, one action a run.")
    p.add_argument('action', choices=['save', 'entity', 'publish', 'fingerprint', 'dedup', 'monitor', 'saga'])
    p.add_argument('--url', default='redis://localhost:6379/0')
    p.add_argument('--event', action='append', help='an event as JSON text (repeatable)')
    p.add_argument('--entity', action='append', default=[], help='an entity id (repeatable)')
    p.add_argument('--channel')
    p.add_argument('--count', type=int, default=1)
    p.add_argument('--saga-id')
    p.add_argument('--steps', default='')
    p.add_argument('--fail-at')
    args = p.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == '__main__':
    main()
