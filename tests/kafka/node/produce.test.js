// kafkajs' producer against brook: keys, headers and timestamps at every acks setting, every
// compression codec, the idempotent producer, and what it wrote read back by kafkajs' consumer
// and by `brook consume`.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { Partitioners } = require('kafkajs')
const { kafka, collect, brook, brookConsume, CompressionTypes } = require('./support')

const client = kafka('produce-test')
const admin = client.admin()

test.before(() => admin.connect())
test.after(() => admin.disconnect())

// The first `count` records of `topic`, read from the beginning by a consumer in a group of its
// own (kafkajs' consumer is always a group member).
async function readAll(topic, count) {
  const consumer = client.consumer({ groupId: `reader-${topic}`, maxWaitTimeInMs: 200 })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const received = await collect(consumer, count)
  await consumer.disconnect()
  return received
}

// Creates `topic` with cleanup.policy=compact and the other `configEntries`.
function createCompacted(topic, configEntries = []) {
  return admin.createTopics({
    topics: [{ topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, ...configEntries] }],
  })
}

function messagesFor(tag, n) {
  return Array.from({ length: n }, (_, i) => ({
    key: `key-${i % 5}`,
    value: `${tag}-${i}`,
    headers: { seq: String(i), tag },
    timestamp: String(1700000000000 + i),
  }))
}

for (const acks of [-1, 1, 0]) {
  test(`acks=${acks}: keys, headers and timestamps arrive intact, per key in order`, async () => {
    const topic = `js-acks${acks === -1 ? 'all' : acks}`
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
    const producer = client.producer()
    await producer.connect()
    const sent = messagesFor(topic, 60)
    const metadata = []
    for (let i = 0; i < sent.length; i += 20) {
      metadata.push(...(await producer.send({ topic, acks, messages: sent.slice(i, i + 20) })))
    }
    await producer.disconnect()
    if (acks === 0) {
      assert.deepEqual(metadata, []) // No answer at acks=0.
    } else {
      for (const m of metadata) {
        assert.equal(m.topicName, topic)
        assert.equal(m.errorCode, 0)
        assert.ok(Number(m.baseOffset) >= 0)
      }
    }

    const received = await readAll(topic, sent.length)
    assert.equal(received.length, sent.length)
    const partitionOfKey = new Map()
    const lastOfKey = new Map()
    for (const { partition, message } of received) {
      const key = message.key.toString()
      const value = message.value.toString()
      const i = Number(value.split('-').pop())
      assert.equal(partitionOfKey.get(key) ?? partition, partition, 'a key stays in one partition')
      partitionOfKey.set(key, partition)
      assert.ok(i > (lastOfKey.get(key) ?? -1), 'a key keeps its order')
      lastOfKey.set(key, i)
      assert.equal(key, sent[i].key)
      assert.equal(message.timestamp, sent[i].timestamp)
      assert.deepEqual(
        Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.toString()])),
        sent[i].headers
      )
    }
    // Each partition's offsets are 0, 1, 2, ... in the order received.
    for (const p of new Set(received.map(r => r.partition))) {
      const offsets = received.filter(r => r.partition === p).map(r => Number(r.message.offset))
      assert.deepEqual(offsets, offsets.map((_, i) => i))
    }
  })
}

for (const [name, codec] of Object.entries({
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
})) {
  test(`${name}-compressed batches round-trip, through kafkajs and brook consume`, async () => {
    const topic = `js-${name}`
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    const producer = client.producer()
    await producer.connect()
    // Repetitive values, so that every codec really compresses.
    const values = Array.from({ length: 200 }, (_, i) => `${name} record ${i} `.repeat(10))
    for (let i = 0; i < values.length; i += 50) {
      await producer.send({
        topic,
        compression: codec,
        messages: values.slice(i, i + 50).map((value, j) => ({ key: `k${i + j}`, value })),
      })
    }
    await producer.disconnect()
    const received = await readAll(topic, values.length)
    assert.deepEqual(received.map(r => r.message.value.toString()), values)
    assert.deepEqual(received.map(r => Number(r.message.offset)), values.map((_, i) => i))
    const cli = await brookConsume(topic, values.length)
    assert.deepEqual(cli.map(r => r.value), values)
    assert.deepEqual(cli.map(r => r.key), values.map((_, i) => `k${i}`))
  })
}

test('the idempotent producer writes each record once, in order', async () => {
  const topic = 'js-idempotent'
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const told = []
  for (let i = 0; i < 10; i++) {
    const messages = Array.from({ length: 10 }, (_, j) => ({
      partition: (i + j) % 2,
      value: `${i * 10 + j}`,
    }))
    told.push(...(await producer.send({ topic, acks: -1, messages })))
  }
  await producer.disconnect()
  for (const m of told) assert.equal(m.errorCode, 0)
  const received = await readAll(topic, 100)
  assert.equal(received.length, 100)
  assert.deepEqual(new Set(received.map(r => r.message.value.toString())).size, 100)
  for (const p of [0, 1]) {
    const values = received.filter(r => r.partition === p).map(r => Number(r.message.value.toString()))
    assert.deepEqual(values, [...values].sort((a, b) => a - b))
    const offsets = received.filter(r => r.partition === p).map(r => Number(r.message.offset))
    assert.deepEqual(offsets, offsets.map((_, i) => i))
  }
})

test('records produced by kafkajs read back by brook consume: key, value, headers, offset', async () => {
  const topic = 'js-to-cli'
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  const producer = client.producer()
  await producer.connect()
  const sent = messagesFor(topic, 40)
  sent[3].key = null // A record without a key.
  const metadata = await producer.send({ topic, acks: -1, messages: sent })
  await producer.disconnect()

  const received = await readAll(topic, sent.length)
  const cli = await brookConsume(topic, sent.length)
  assert.equal(cli.length, sent.length)
  const byPosition = new Map(cli.map(r => [`${r.partition}/${r.offset}`, r]))
  for (const { partition, message } of received) {
    const r = byPosition.get(`${partition}/${message.offset}`)
    assert.ok(r, `brook consume has partition ${partition} offset ${message.offset}`)
    assert.equal(r.topic, topic)
    assert.equal(r.key, message.key === null ? null : message.key.toString())
    assert.equal(r.value, message.value.toString())
    assert.equal(String(r.timestamp), message.timestamp)
    assert.deepEqual(r.headers,
      Object.entries(message.headers).map(([key, v]) => ({ key, value: v.toString() })))
  }
  // What the producer was told: the first offset of each partition's batch.
  for (const m of metadata) {
    const first = Math.min(...cli.filter(r => r.partition === m.partition).map(r => r.offset))
    assert.equal(Number(m.baseOffset), first)
  }
})

test('a tombstone and repeated or empty headers arrive as sent', async () => {
  const topic = 'js-tombstone'
  await createCompacted(topic)
  const producer = client.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ key: 'k', value: null, headers: { h: ['a', 'b'], e: '' } }] })
  await producer.disconnect()
  const [{ message }] = await readAll(topic, 1)
  assert.equal(message.key.toString(), 'k')
  assert.equal(message.value, null)
  assert.deepEqual(message.headers.h.map(String), ['a', 'b'])
  assert.equal(message.headers.e.length, 0)
  const [cli] = await brookConsume(topic, 1)
  assert.equal(cli.value, null)
})

test('Kafka errors: a keyless record on a compacted topic, a record over max.message.bytes', async () => {
  const topic = 'js-refused'
  await createCompacted(topic, [{ name: 'max.message.bytes', value: '10000' }])
  const producer = kafka('produce-test-no-retry', { retries: 0 }).producer()
  await producer.connect()
  await assert.rejects(producer.send({ topic, messages: [{ value: 'no key' }] }),
    e => e.type === 'INVALID_RECORD')
  await assert.rejects(producer.send({ topic, messages: [{ key: 'k', value: Buffer.alloc(20000) }] }),
    e => e.type === 'MESSAGE_TOO_LARGE')
  await producer.disconnect()
  assert.deepEqual(await admin.fetchTopicOffsets(topic), [{ partition: 0, offset: '0', high: '0', low: '0' }])
})

test('sendBatch to several topics at once, creating an unknown one as Kafka does', async () => {
  await admin.createTopics({ topics: [{ topic: 'js-batch-a', numPartitions: 1 }] })
  const producer = client.producer()
  await producer.connect()
  const told = await producer.sendBatch({
    acks: -1,
    topicMessages: [
      { topic: 'js-batch-a', messages: [{ value: 'a0' }, { value: 'a1' }] },
      { topic: 'js-batch-auto', messages: [{ value: 'b0' }] },
    ],
  })
  await producer.disconnect()
  assert.deepEqual(told.map(t => [t.topicName, t.partition, t.errorCode, t.baseOffset]).sort(),
    [['js-batch-a', 0, 0, '0'], ['js-batch-auto', 0, 0, '0']])
  const { topics } = await admin.fetchTopicMetadata({ topics: ['js-batch-auto'] })
  assert.equal(topics[0].partitions.length, 1) // --kafka-default-partitions
  assert.deepEqual((await readAll('js-batch-a', 2)).map(r => r.message.value.toString()), ['a0', 'a1'])
})

test('a record larger than the fetch limits still arrives (KIP-74)', async () => {
  const topic = 'js-large'
  await admin.createTopics({ topics: [{ topic }] })
  const producer = client.producer()
  await producer.connect()
  const large = Buffer.alloc(600 << 10, 'x')
  await producer.send({ topic, messages: [{ value: large }, { value: 'small' }] })
  await producer.disconnect()
  const consumer = client.consumer({
    groupId: 'js-large-reader', maxWaitTimeInMs: 200, maxBytesPerPartition: 1024, maxBytes: 2048,
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const received = await collect(consumer, 2)
  await consumer.disconnect()
  assert.deepEqual(received.map(r => r.message.value.length), [large.length, 5])
})

test('a transactional producer is refused clearly (brook has no transactions yet)', async () => {
  const producer = kafka('produce-test-tx', { retries: 1 }).producer({
    transactionalId: 'js-tx', idempotent: true, maxInFlightRequests: 1,
  })
  await producer.connect()
  await assert.rejects(producer.transaction(), e => e.name === 'KafkaJSGroupCoordinatorNotFound')
  await producer.disconnect()
})

test('records produced by brook produce read by kafkajs, keys in the partitions kafkajs picks', async () => {
  const topic = 'js-from-cli'
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })
  const lines = Array.from({ length: 40 }, (_, i) => `key-${i}:value-${i}`)
  await brook(['produce', topic, '--key-separator', ':', '--header', 'origin=cli'], lines.join('\n') + '\n')
  const received = await readAll(topic, lines.length)
  const partitioner = Partitioners.DefaultPartitioner() // Java's: murmur2 of the key.
  const partitionMetadata = [0, 1, 2, 3].map(partitionId => ({ partitionId, leader: 1 }))
  assert.deepEqual(received.map(r => `${r.message.key}:${r.message.value}`).sort(), [...lines].sort())
  for (const { partition, message } of received) {
    assert.deepEqual(Object.keys(message.headers), ['origin'])
    assert.equal(message.headers.origin.toString(), 'cli')
    assert.equal(partition, partitioner({ topic, partitionMetadata, message: { key: message.key } }))
  }
})

test('after brook topic compact, kafkajs reads the latest record of each key across the gaps', async () => {
  const topic = 'js-compacted'
  await createCompacted(topic)
  const producer = client.producer()
  await producer.connect()
  for (let b = 0; b < 10; b++) {
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 3}`, value: `${b}-${i}` })),
    })
  }
  await producer.send({ topic, messages: [{ key: 'last', value: 'x' }] })
  await producer.disconnect()
  await brook(['topic', 'compact', topic])
  const received = await readAll(topic, 4)
  assert.deepEqual(received.map(r => [r.message.offset, r.message.key.toString(), r.message.value.toString()]),
    [['97', 'k1', '9-7'], ['98', 'k2', '9-8'], ['99', 'k0', '9-9'], ['100', 'last', 'x']])
})
