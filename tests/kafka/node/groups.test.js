// kafkajs consumer groups against brook: partitions split and move as members join and leave,
// commits resume, fromBeginning, seek, pause/resume, eachBatch, lag, and the admin calls that
// inspect and change groups.
'use strict'

const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')
const test = require('node:test')
const assert = require('node:assert/strict')
const { AssignerProtocol } = require('kafkajs')
const { kafka, FAST_GROUP, waitFor, collect } = require('./support')

const client = kafka('groups-test')
const admin = client.admin()
const producer = client.producer()

test.before(async () => {
  await admin.connect()
  await producer.connect()
})
test.after(async () => {
  await producer.disconnect()
  await admin.disconnect()
})

async function createTopic(topic, numPartitions) {
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions }] }), true)
}

// Sends `n` records to every partition of `topic` (values "<from + i>").
async function produceEach(topic, partitions, n, from = 0) {
  const messages = []
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < n; i++) messages.push({ partition: p, value: String(from + i) })
  }
  await producer.send({ topic, acks: -1, messages })
}

// A member of `groupId` on `topic` that records its assignment (from GROUP_JOIN) and what it
// consumed.
async function member(groupId, topic, options = {}) {
  const consumer = client.consumer({ groupId, ...FAST_GROUP, ...options })
  const state = { consumer, partitions: [], seen: [] }
  consumer.on(consumer.events.GROUP_JOIN, e => {
    state.partitions = (e.payload.memberAssignment[topic] || []).slice().sort()
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      state.seen.push(`${partition}/${message.offset}`)
    },
  })
  return state
}

// A new topic with `n` records in each of its `partitions`, and a member of `groupId` that has
// consumed them all.
async function consumedByMember(topic, partitions, n, groupId) {
  await createTopic(topic, partitions)
  await produceEach(topic, partitions, n)
  const m = await member(groupId, topic)
  await waitFor(`${partitions * n} records`, () => m.seen.length === partitions * n)
  return m
}

// True when `members` hold every partition of 0..count-1 exactly once, in shares of `sizes`.
function splitAs(members, count, sizes) {
  const all = members.flatMap(m => m.partitions).sort((a, b) => a - b)
  const shares = members.map(m => m.partitions.length).sort()
  return (
    JSON.stringify(all) === JSON.stringify([...Array(count).keys()]) &&
    JSON.stringify(shares) === JSON.stringify(sizes)
  )
}

test('members split partitions, a joining member takes some, a leaving one hands its own over', async () => {
  const topic = 'js-group-split'
  await createTopic(topic, 4)
  await produceEach(topic, 4, 10)
  const a = await member('js-split', topic)
  const b = await member('js-split', topic)
  await waitFor('two members with two partitions each', () => splitAs([a, b], 4, [2, 2]))

  const c = await member('js-split', topic)
  await waitFor('three members sharing four partitions', () => splitAs([a, b, c], 4, [1, 1, 2]))
  await produceEach(topic, 4, 10, 10)
  const seen = () => new Set([...a.seen, ...b.seen, ...c.seen])
  await waitFor('every record consumed', () => seen().size === 80)

  await c.consumer.disconnect() // Leaves the group: its partitions go to a and b.
  await waitFor('two members again', () => splitAs([a, b], 4, [2, 2]))
  await produceEach(topic, 4, 10, 20)
  await waitFor('every record consumed', () => seen().size === 120)
  for (let p = 0; p < 4; p++) {
    for (let o = 0; o < 30; o++) assert.ok(seen().has(`${p}/${o}`), `${p}/${o} consumed`)
  }

  const { groups } = await admin.describeGroups(['js-split'])
  assert.equal(groups.length, 1)
  const group = groups[0]
  assert.equal(group.errorCode, 0)
  assert.equal(group.state, 'Stable')
  assert.equal(group.protocolType, 'consumer')
  assert.equal(group.protocol, 'RoundRobinAssigner')
  assert.equal(group.members.length, 2)
  const described = group.members
    .flatMap(m => AssignerProtocol.MemberAssignment.decode(m.memberAssignment).assignment[topic])
    .sort()
  assert.deepEqual(described, [0, 1, 2, 3])
  for (const m of group.members) assert.equal(m.clientId, 'groups-test')

  const listed = (await admin.listGroups()).groups.find(g => g.groupId === 'js-split')
  assert.deepEqual(listed, { groupId: 'js-split', protocolType: 'consumer' })

  // A group with members cannot be deleted.
  await assert.rejects(admin.deleteGroups(['js-split']), e => e.name === 'KafkaJSDeleteGroupsError')
  await a.consumer.disconnect()
  await b.consumer.disconnect()
})

test('a member that dies without leaving loses its partitions after the session timeout', async () => {
  const topic = 'js-group-crash'
  await createTopic(topic, 4)
  const survivor = await member('js-crash', topic)
  const doomed = spawn(process.execPath, [path.join(__dirname, 'member.js'), 'js-crash', topic], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let doomedPartitions = []
  readline.createInterface({ input: doomed.stdout }).on('line', line => {
    doomedPartitions = JSON.parse(line)
  })
  try {
    await waitFor('two members', () => survivor.partitions.length === 2 && doomedPartitions.length === 2)
  } finally {
    doomed.kill('SIGKILL') // No LeaveGroup: only the session timeout (6 s) tells the broker.
  }
  await waitFor('the survivor with every partition', () => survivor.partitions.length === 4, 20000)
  await produceEach(topic, 4, 1)
  await waitFor('a record of each partition', () => survivor.seen.length === 4)
  await survivor.consumer.disconnect()
})

test('commits resume after a restart; lag reaches 0', async () => {
  const topic = 'js-group-resume'
  const first = await consumedByMember(topic, 2, 15, 'js-resume')
  await first.consumer.disconnect() // Commits what it consumed.

  const committed = await admin.fetchOffsets({ groupId: 'js-resume', topics: [topic] })
  const ends = await admin.fetchTopicOffsets(topic)
  const lag = (committedOffsets, endOffsets) =>
    committedOffsets[0].partitions.reduce(
      (sum, { partition, offset }) =>
        sum + Number(endOffsets.find(e => e.partition === partition).high) - Number(offset),
      0
    )
  assert.equal(committed[0].topic, topic)
  assert.equal(lag(committed, ends), 0)

  await produceEach(topic, 2, 5, 15)
  assert.equal(lag(await admin.fetchOffsets({ groupId: 'js-resume', topics: [topic] }),
    await admin.fetchTopicOffsets(topic)), 10)
  const second = await member('js-resume', topic)
  await waitFor('the 10 new records', () => second.seen.length === 10)
  await new Promise(resolve => setTimeout(resolve, 500)) // Nothing else arrives.
  assert.deepEqual(second.seen.sort(), ['0/15', '0/16', '0/17', '0/18', '0/19',
    '1/15', '1/16', '1/17', '1/18', '1/19'])
  await second.consumer.disconnect()
  assert.equal(lag(await admin.fetchOffsets({ groupId: 'js-resume', topics: [topic] }),
    await admin.fetchTopicOffsets(topic)), 0)
})

test('fromBeginning false starts at the log end', async () => {
  const topic = 'js-group-latest'
  await createTopic(topic, 1)
  await produceEach(topic, 1, 5)
  const consumer = client.consumer({ groupId: 'js-latest', ...FAST_GROUP })
  let fetched = false // Its first fetch comes after it resolved the log end: produce after that.
  consumer.on(consumer.events.FETCH, () => { fetched = true })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: false })
  const received = []
  await consumer.run({ eachMessage: async ({ message }) => { received.push(message) } })
  await waitFor('a first fetch', () => fetched)
  await produceEach(topic, 1, 3, 5)
  await waitFor('3 records', () => received.length === 3)
  assert.deepEqual(received.map(m => [m.offset, m.value.toString()]), [['5', '5'], ['6', '6'], ['7', '7']])
  await consumer.disconnect()
})

test('seek moves a running consumer; pause holds a partition back until resume', async () => {
  const topic = 'js-group-seek'
  const m = await consumedByMember(topic, 2, 10, 'js-seek')

  m.seen.length = 0
  m.consumer.seek({ topic, partition: 1, offset: '7' })
  await waitFor('3 records again', () => m.seen.length === 3)
  assert.deepEqual(m.seen, ['1/7', '1/8', '1/9'])

  m.seen.length = 0
  m.consumer.pause([{ topic, partitions: [0] }])
  assert.deepEqual(m.consumer.paused(), [{ topic, partitions: [0] }])
  await produceEach(topic, 2, 3, 10)
  await waitFor('partition 1', () => m.seen.length === 3)
  await new Promise(resolve => setTimeout(resolve, 500))
  assert.deepEqual(m.seen, ['1/10', '1/11', '1/12'])
  m.consumer.resume([{ topic, partitions: [0] }])
  await waitFor('partition 0 after resume', () => m.seen.length === 6)
  assert.deepEqual(m.seen.slice(3), ['0/10', '0/11', '0/12'])
  await m.consumer.disconnect()
})

test('eachBatch sees whole batches with the high watermark', async () => {
  const topic = 'js-group-batch'
  await createTopic(topic, 1)
  await producer.send({ topic, messages: Array.from({ length: 25 }, (_, i) => ({ value: `b${i}` })) })
  await producer.send({ topic, messages: Array.from({ length: 25 }, (_, i) => ({ value: `b${25 + i}` })) })
  const consumer = client.consumer({ groupId: 'js-batch', ...FAST_GROUP })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const batches = []
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      batches.push({
        partition: batch.partition,
        highWatermark: batch.highWatermark,
        first: batch.firstOffset(),
        last: batch.lastOffset(),
        values: batch.messages.map(m => m.value.toString()),
        lag: batch.offsetLagLow(),
      })
      for (const message of batch.messages) resolveOffset(message.offset)
      await heartbeat()
      await commitOffsetsIfNecessary()
    },
  })
  await waitFor('50 records in batches', () => batches.reduce((n, b) => n + b.values.length, 0) >= 50)
  await consumer.disconnect()
  assert.deepEqual(batches.flatMap(b => b.values), Array.from({ length: 50 }, (_, i) => `b${i}`))
  for (const b of batches) {
    assert.equal(b.partition, 0)
    assert.equal(b.highWatermark, '50')
    assert.equal(Number(b.last) - Number(b.first) + 1, b.values.length)
  }
  assert.equal(batches[0].first, '0')
  assert.equal(batches[0].lag, '49')
  const [{ partitions }] = await admin.fetchOffsets({ groupId: 'js-batch', topics: [topic] })
  assert.deepEqual(partitions, [{ partition: 0, offset: '50', metadata: null }])
})

test('manual commits (autoCommit off) keep their metadata', async () => {
  const topic = 'js-group-manual'
  await createTopic(topic, 1)
  await produceEach(topic, 1, 3)
  const consumer = client.consumer({ groupId: 'js-manual', ...FAST_GROUP })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const received = await collect(consumer, 3, { autoCommit: false })
  assert.equal(received.length, 3)
  await consumer.commitOffsets([{ topic, partition: 0, offset: '2', metadata: 'checkpoint' }])
  await consumer.disconnect() // Commits nothing more: autoCommit is off.
  const [{ partitions }] = await admin.fetchOffsets({ groupId: 'js-manual', topics: [topic] })
  assert.deepEqual(partitions, [{ partition: 0, offset: '2', metadata: 'checkpoint' }])
})

test('admin resetOffsets, setOffsets and deleteGroups on a stopped group', async () => {
  const topic = 'js-group-admin'
  await createTopic(topic, 2)
  await produceEach(topic, 2, 10)
  const offsetsOf = async () =>
    (await admin.fetchOffsets({ groupId: 'js-admin', topics: [topic] }))[0].partitions
      .map(({ partition, offset }) => [partition, offset])
      .sort()

  // A group that never committed: -1 everywhere.
  assert.deepEqual(await offsetsOf(), [[0, '-1'], [1, '-1']])

  // Partition 1's offset is past the log end: the member gets OFFSET_OUT_OF_RANGE there and
  // starts over from its reset policy (fromBeginning).
  await admin.setOffsets({
    groupId: 'js-admin', topic, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '1000' }],
  })
  assert.deepEqual(await offsetsOf(), [[0, '4'], [1, '1000']])
  const m = await member('js-admin', topic)
  await waitFor('the records after the set offsets', () => m.seen.length === 16)
  assert.deepEqual(m.seen.filter(s => s.startsWith('0/')).length, 6)
  assert.deepEqual(m.seen.filter(s => s.startsWith('1/')).length, 10)
  // Offsets cannot be changed while the group has members.
  await assert.rejects(admin.resetOffsets({ groupId: 'js-admin', topic, earliest: true }))
  await m.consumer.disconnect()
  assert.deepEqual(await offsetsOf(), [[0, '10'], [1, '10']])

  // kafkajs resets by committing Kafka's "earliest" (-2) or "latest" (-1) marker; its consumers
  // take it for no commit (and start by their fromBeginning).
  await admin.resetOffsets({ groupId: 'js-admin', topic, earliest: true })
  assert.deepEqual(await offsetsOf(), [[0, '-2'], [1, '-2']])
  // fetchOffsets with resolveOffsets turns the markers into offsets and commits those.
  await admin.fetchOffsets({ groupId: 'js-admin', topics: [topic], resolveOffsets: true })
  assert.deepEqual(await offsetsOf(), [[0, '0'], [1, '0']])
  const again = await member('js-admin', topic)
  await waitFor('everything again', () => again.seen.length === 20)
  await again.consumer.disconnect()

  const listed = (await admin.listGroups()).groups.map(g => g.groupId)
  assert.ok(listed.includes('js-admin'))
  const deleted = await admin.deleteGroups(['js-admin'])
  assert.deepEqual(deleted.map(d => [d.groupId, d.errorCode]), [['js-admin', 0]])
  assert.ok(!(await admin.listGroups()).groups.map(g => g.groupId).includes('js-admin'))
  assert.deepEqual(await offsetsOf(), [[0, '-1'], [1, '-1']])
})
