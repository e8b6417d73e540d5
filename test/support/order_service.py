#!/usr/bin/python3
# A small service written the guide's way (redis-py, json.dumps, publish_json), for record and scenario tests:
#
#   responder --url U [--in orders] [--out payments] [--delay-ms 150]
#       subscribes to --in, prints {"ready": true}, and for each order_created whose data.total_price (or data.total) is not negative
#       publishes order_paid for the same entity on --out after the delay (orders with a negative total are
#       ignored, as a payment service refuses them). Runs until killed.
#   spublish --url U --channel C --event JSON [--event JSON ...]
#       SPUBLISH each event's json.dumps on a shard channel (redis-py 4 has no spublish method).
import argparse
import asyncio
import json
import sys
import uuid
from datetime import datetime, timezone


def total_of(event):
    data = event.get('data') or {}
    return data.get('total_price', data.get('total'))


async def responder(args):
    import redis.asyncio as aioredis
    client = aioredis.from_url(args.url, decode_responses=True)
    pubsub = client.pubsub()
    await pubsub.subscribe(args.inp)
    print(json.dumps({'ready': True}), flush=True)
    pending = set()

    async def pay(event):
        await asyncio.sleep(args.delay_ms / 1000)
        paid = {
            'event_id': str(uuid.uuid4()),
            'event_type': 'order_paid',
            'timestamp': datetime.now(timezone.utc).isoformat(),
            'entity_id': event.get('entity_id'),
            'data': {'order_id': (event.get('data') or {}).get('order_id'), 'amount': total_of(event), 'currency': 'EUR'},
        }
        await client.publish(args.out, json.dumps(paid))

    async for message in pubsub.listen():
        if message.get('type') != 'message':
            continue
        try:
            event = json.loads(message['data'])
        except ValueError:
            continue
        if not isinstance(event, dict) or event.get('event_type') != 'order_created':
            continue
        total = total_of(event)
        if isinstance(total, (int, float)) and total < 0:
            continue
        task = asyncio.ensure_future(pay(event))
        pending.add(task)
        task.add_done_callback(pending.discard)


async def spublish(args):
    import redis.asyncio as aioredis
    client = aioredis.from_url(args.url, decode_responses=True)
    receivers = [await client.execute_command('SPUBLISH', args.channel, json.dumps(json.loads(e))) for e in args.event]
    await client.close()
    print(json.dumps({'receivers': receivers}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('action', choices=['responder', 'spublish'])
    p.add_argument('--url', required=True)
    p.add_argument('--in', dest='inp', default='orders')
    p.add_argument('--out', default='payments')
    p.add_argument('--delay-ms', type=int, default=150)
    p.add_argument('--channel')
    p.add_argument('--event', action='append', default=[])
    args = p.parse_args()
    try:
        asyncio.run(responder(args) if args.action == 'responder' else spublish(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == '__main__':
    main()
