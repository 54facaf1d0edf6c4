// Shared by the kafkajs test files: the broker under test, a kafkajs client for it with every
// compression codec registered, waiting for a condition, consuming a known number of records,
// and reading a topic back through `brook consume`.
//
// Run by tests/kafka/kafkajs_test.cc, which starts an EmbeddedBroker and sets
// BROOK_KAFKA_BOOTSTRAP (its Kafka listener), BROOK_BOOTSTRAP (brook's own protocol) and
// BROOK_BINARY (the `brook` CLI).
'use strict'

const { execFile } = require('node:child_process')
const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const lz4 = require('lz4-napi')
const zstd = require('@mongodb-js/zstd')

const KAFKA_BOOTSTRAP = process.env.BROOK_KAFKA_BOOTSTRAP
const BROOK_BOOTSTRAP = process.env.BROOK_BOOTSTRAP
const BROOK_BINARY = process.env.BROOK_BINARY
if (!KAFKA_BOOTSTRAP || !BROOK_BOOTSTRAP || !BROOK_BINARY) {
  throw new Error('set BROOK_KAFKA_BOOTSTRAP, BROOK_BOOTSTRAP and BROOK_BINARY')
}

// kafkajs 2 warns at every producer that its default partitioner changed in 2.0; that default
// (Java's murmur2) is the one these tests want.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

// kafkajs ships gzip only; the others plug in as codecs (a factory returning compress and
// decompress). Kafka's LZ4 is the LZ4 frame format.
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: encoder => lz4.compressFrame(encoder.buffer),
  decompress: buffer => lz4.decompressFrame(buffer),
})
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: encoder => zstd.compress(encoder.buffer, 3),
  decompress: buffer => zstd.decompress(buffer),
})

// A kafkajs client for the broker under test (or the one at `bootstrap`). Warnings and errors go
// to stderr (kafkajs logs retried errors there too, which is what to read when a test fails).
// `retries`: how often kafkajs retries a retriable error before giving up.
function kafka(clientId, { retries = 8, bootstrap = KAFKA_BOOTSTRAP } = {}) {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries },
  })
}

// Settings that make a group react within a second or two instead of kafkajs' defaults
// (heartbeats every 3 s, fetches waiting 5 s).
const FAST_GROUP = {
  sessionTimeout: 6000,
  rebalanceTimeout: 10000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 200,
}

// Resolves once `predicate()` is true, checking every 50 ms; rejects after `timeoutMs`
// naming `what`.
async function waitFor(what, predicate, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await predicate()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

// Runs `consumer` (already subscribed) until `count` messages arrived; returns them as
// { topic, partition, message } in arrival order, and leaves the consumer running.
async function collect(consumer, count, runOptions = {}) {
  const received = []
  await consumer.run({
    ...runOptions,
    eachMessage: async ({ topic, partition, message }) => {
      received.push({ topic, partition, message })
    },
  })
  await waitFor(`${count} messages`, () => received.length >= count)
  return received
}

// Runs `brook ARGS... --bootstrap <brook's own protocol>` with `input` on stdin; resolves to
// its stdout, rejects when it fails.
function brook(args, input = '') {
  return new Promise((resolve, reject) => {
    const child = execFile(BROOK_BINARY, [...args, '--bootstrap', BROOK_BOOTSTRAP],
      { maxBuffer: 64 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
    child.stdin.end(input)
  })
}

// `brook consume TOPIC --from-beginning --count COUNT --json`: the records as the CLI prints
// them.
async function brookConsume(topic, count) {
  const stdout = await brook(['consume', topic, '--from-beginning', '--count', String(count),
    '--timeout-ms', '20000', '--json'])
  return stdout.trim().split('\n').filter(Boolean).map(line => JSON.parse(line))
}

module.exports = {
  kafka, FAST_GROUP, waitFor, collect, brook, brookConsume, CompressionTypes, BROOK_BINARY,
}
