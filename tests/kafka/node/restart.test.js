// kafkajs across a crash of the broker: a `brook serve` child process of this test is killed
// (SIGKILL) under a running idempotent producer and consumer group, and started again on the
// same ports and data. The clients reconnect by themselves; acknowledged records and commits
// survive, the producer's sequence numbers carry on, and the group rejoins (membership lives
// in the broker's memory: a difference from Kafka) and resumes from its commits.
'use strict'

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const test = require('node:test')
const assert = require('node:assert/strict')
const { kafka, FAST_GROUP, waitFor, BROOK_BINARY } = require('./support')

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function canConnect(port) {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('connect', () => socket.end(() => resolve(true)))
    socket.on('error', () => resolve(false))
  })
}

// `brook serve` on fixed ports and a data dir of its own, started and killed on cue.
class ChildBroker {
  async init() {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-kafkajs-'))
    this.port = await freePort()
    this.kafkaPort = await freePort()
    this.kafkaBootstrap = `127.0.0.1:${this.kafkaPort}`
  }

  async start() {
    this.child = spawn(BROOK_BINARY, [
      'serve', '--listen', `127.0.0.1:${this.port}`, '--kafka-listen', this.kafkaBootstrap,
      '--http-listen', '127.0.0.1:0', '--data-dir', this.dataDir, '--log-level', 'warn', '--io-threads', '2',
    ], { stdio: ['ignore', 'inherit', 'inherit'] })
    this.exited = new Promise(resolve => this.child.on('exit', resolve))
    await waitFor('brook serve to listen', () => canConnect(this.kafkaPort), 20000)
  }

  async kill() {
    this.child.kill('SIGKILL')
    await this.exited
  }

  async remove() {
    if (this.child.exitCode === null && this.child.signalCode === null) await this.kill()
    fs.rmSync(this.dataDir, { recursive: true, force: true })
  }
}

test('an idempotent producer and a group carry on across a broker kill -9 and restart', async () => {
  const broker = new ChildBroker()
  await broker.init()
  await broker.start()
  const client = kafka('restart-test', { bootstrap: broker.kafkaBootstrap, retries: 10 })
  const admin = client.admin()
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 })
  const consumer = client.consumer({ groupId: 'js-restart', ...FAST_GROUP })
  try {
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'js-restart', numPartitions: 2 }] })
    await producer.connect()
    // Ten batches of ten, half to each partition; values 0..99 in order.
    const sendBatches = async from => {
      for (let b = from; b < from + 10; b++) {
        const messages = Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: String(b * 10 + i) }))
        await producer.send({ topic: 'js-restart', acks: -1, messages })
      }
    }
    await sendBatches(0)

    const seen = []
    let joins = 0
    consumer.on(consumer.events.GROUP_JOIN, () => joins++)
    await consumer.connect()
    await consumer.subscribe({ topics: ['js-restart'], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, offset: Number(message.offset), value: Number(message.value.toString()) })
      },
    })
    const committedTotal = async () =>
      (await admin.fetchOffsets({ groupId: 'js-restart', topics: ['js-restart'] }))[0].partitions
        .reduce((sum, p) => sum + Math.max(Number(p.offset), 0), 0)
    await waitFor('100 records consumed and committed', async () => seen.length === 100 && (await committedTotal()) === 100)
    const joinsBefore = joins

    await broker.kill()
    await broker.start()

    await sendBatches(10) // The same producer: its sequence numbers go on from before the crash.
    const delivered = () => new Set(seen.map(r => `${r.partition}/${r.offset}`)).size
    await waitFor('the 100 records produced after the restart', () => delivered() === 200, 60000)
    // The group's membership went with the broker's memory: the consumer's next heartbeat
    // finds it gone and joins again (it may fetch the new records before that happens).
    await waitFor('the group joined again', () => joins > joinsBefore, 30000)
    // Nothing lost: each partition holds offsets 0..99 with its values in order. Nothing from
    // before the crash again: the group resumed from its commits. (What it consumed after the
    // restart and before it rejoined may come twice: its commits of that were refused,
    // membership having been lost with the broker's memory, as docs/kafka.md says.)
    const unique = new Map(seen.map(r => [`${r.partition}/${r.offset}`, r]))
    assert.equal(unique.size, 200)
    const again = seen.slice(100).filter(r => r.offset < 50)
    assert.deepEqual(again, [], 'records consumed and committed before the crash came again')
    for (const p of [0, 1]) {
      const records = [...unique.values()].filter(r => r.partition === p).sort((a, b) => a.offset - b.offset)
      assert.deepEqual(records.map(r => r.offset), [...Array(100).keys()])
      assert.deepEqual(records.map(r => r.value), [...Array(100).keys()].map(i => 2 * i + p))
    }
    await waitFor('every record committed', async () => (await committedTotal()) === 200)
  } finally {
    await consumer.disconnect()
    await producer.disconnect()
    await admin.disconnect()
    await broker.remove()
  }
})
