// An order service's tests with kafkajs against brook: `node --test`, with $BROOK_BINARY or
// brook on PATH. One broker for the file, reset before each test; one with a manual clock.
'use strict'

const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert')
const { Kafka, logLevel } = require('kafkajs')
const { BrookBroker } = require('./brook')

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const TOPIC = 'orders'
const DAY_MS = 24 * 3600 * 1000

function kafka(broker) {
  return new Kafka({
    clientId: 'orders-test',
    brokers: [broker.kafka],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 20, retries: 5 },
  })
}

// The code under test: publishes order events, acknowledged by the broker.
async function publish(broker, ...events) {
  const producer = kafka(broker).producer()
  await producer.connect()
  try {
    const offsets = []
    for (const value of events) {
      const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'order-1', value }] })
      offsets.push(Number(meta.baseOffset))
    }
    return offsets
  } finally {
    await producer.disconnect()
  }
}

async function logRange(broker) {
  const admin = kafka(broker).admin()
  await admin.connect()
  try {
    const [partition] = await admin.fetchTopicOffsets(TOPIC)
    return { start: Number(partition.low), end: Number(partition.high) }
  } finally {
    await admin.disconnect()
  }
}

async function readAll(broker) {
  const { start, end } = await logRange(broker)
  const consumer = kafka(broker).consumer({ groupId: `reader-${Date.now()}`, maxWaitTimeInMs: 50 })
  await consumer.connect()
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
  const values = []
  await new Promise((resolve, reject) => {
    if (end === start) resolve()
    consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value.toString())
        if (Number(message.offset) + 1 >= end) resolve()
      },
    }).catch(reject)
  })
  await consumer.disconnect()
  return values
}

let broker
before(async () => { broker = await BrookBroker.start() })
after(() => broker.stop())
beforeEach(() => broker.reset())

test('published orders are consumed', async () => {
  await publish(broker, 'created', 'paid', 'shipped')
  assert.deepStrictEqual(await readAll(broker), ['created', 'paid', 'shipped'])
})

test('each test starts from nothing', async () => {
  const admin = kafka(broker).admin()
  await admin.connect()
  assert.ok(!(await admin.listTopics()).includes(TOPIC))
  await admin.disconnect()
})

test('publishing survives a leader move', async () => {
  // A fault: the next two Produce requests are answered NOT_LEADER_OR_FOLLOWER, as while a
  // partition's leader moves. kafkajs retries, and the order is written once.
  await publish(broker, 'created')
  await broker.addFault('--api', 'Produce', '--topic', TOPIC, '--error', 'NOT_LEADER_OR_FOLLOWER', '--count', '2')
  await publish(broker, 'paid')
  assert.deepStrictEqual(await readAll(broker), ['created', 'paid'])
  const faults = await broker.faults()
  assert.strictEqual(faults.length, 1)
  assert.strictEqual(faults[0].fired, 2)
})

test('orders expire after retention', async () => {
  // The clock: with retention.ms of 7 days, the order is gone once 8 days have passed on the
  // broker's clock; the test takes milliseconds.
  const clocked = await BrookBroker.start({ manualClock: true })
  try {
    const admin = kafka(clocked).admin()
    await admin.connect()
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(7 * DAY_MS) }] }],
    })
    await admin.disconnect()
    const [offset] = await publish(clocked, 'created')
    await clocked.advanceClock(6 * DAY_MS)
    assert.strictEqual((await logRange(clocked)).start, offset)
    await clocked.advanceClock(2 * DAY_MS)
    // Retention deletes whole segments, and never the one still taking records: the next
    // order, a day past segment.ms, starts a new one, and the old one goes.
    await publish(clocked, 'paid')
    await clocked.advanceClock(1) // Returns once retention has run at the new time.
    const deadline = Date.now() + 5000
    while ((await logRange(clocked)).start <= offset) {
      assert.ok(Date.now() < deadline, 'the order outlived its retention')
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  } finally {
    await clocked.stop()
  }
})
