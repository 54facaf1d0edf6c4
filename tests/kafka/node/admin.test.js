// kafkajs' admin client against brook: topics, cluster, configs and offsets by time.
// (Consumer-group admin calls are in groups.test.js, beside the groups they inspect.)
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { ConfigResourceTypes } = require('kafkajs')
const { kafka } = require('./support')

const client = kafka('admin-test')
const admin = client.admin()

test.before(() => admin.connect())
test.after(() => admin.disconnect())

function configMap(describeResult) {
  const [resource] = describeResult.resources
  assert.equal(resource.errorCode, 0)
  return new Map(resource.configEntries.map(e => [e.configName, e]))
}

test('createTopics creates partitions with configs; again answers false', async () => {
  const created = await admin.createTopics({
    topics: [
      { topic: 'js-admin', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '60000' }] },
    ],
  })
  assert.equal(created, true)
  assert.equal(await admin.createTopics({ topics: [{ topic: 'js-admin', numPartitions: 3 }] }), false)
  assert.ok((await admin.listTopics()).includes('js-admin'))

  const { topics } = await admin.fetchTopicMetadata({ topics: ['js-admin'] })
  assert.equal(topics.length, 1)
  assert.equal(topics[0].name, 'js-admin')
  const partitions = topics[0].partitions.sort((a, b) => a.partitionId - b.partitionId)
  assert.deepEqual(partitions.map(p => p.partitionId), [0, 1, 2])
  for (const p of partitions) {
    assert.equal(p.partitionErrorCode, 0)
    assert.equal(p.leader, 1)
    assert.deepEqual(p.replicas, [1])
    assert.deepEqual(p.isr, [1])
  }
})

test('createTopics with validateOnly creates nothing', async () => {
  // waitForLeaders: false, because kafkajs waits for the leaders of topics it only validated
  // (a Metadata request that fails against any broker, or auto-creates the topic where that
  // is allowed).
  await admin.createTopics({
    validateOnly: true,
    waitForLeaders: false,
    topics: [{ topic: 'js-validate-only', numPartitions: 2 }],
  })
  assert.ok(!(await admin.listTopics()).includes('js-validate-only'))
})

test('createTopics refuses an unknown config and a replication factor of 3', async () => {
  await assert.rejects(
    admin.createTopics({
      topics: [{ topic: 'js-bad-config', configEntries: [{ name: 'no.such.config', value: '1' }] }],
    }),
    e => e.type === 'INVALID_CONFIG' || e.errors?.[0]?.type === 'INVALID_CONFIG'
  )
  await assert.rejects(
    admin.createTopics({ topics: [{ topic: 'js-bad-rf', replicationFactor: 3 }] }),
    e => e.type === 'INVALID_REPLICATION_FACTOR' || e.errors?.[0]?.type === 'INVALID_REPLICATION_FACTOR'
  )
  const topics = await admin.listTopics()
  assert.ok(!topics.includes('js-bad-config') && !topics.includes('js-bad-rf'))
})

test('describeCluster names this broker as the only one and the controller', async () => {
  const cluster = await admin.describeCluster()
  const [host, port] = process.env.BROOK_KAFKA_BOOTSTRAP.split(':')
  assert.deepEqual(cluster.brokers, [{ nodeId: 1, host, port: Number(port) }])
  assert.equal(cluster.controller, 1)
  assert.ok(cluster.clusterId.length > 0)
})

test('describeConfigs and alterConfigs on a topic', async () => {
  await admin.createTopics({
    topics: [{ topic: 'js-configs', configEntries: [{ name: 'retention.ms', value: '60000' }] }],
  })
  const resource = { type: ConfigResourceTypes.TOPIC, name: 'js-configs' }
  let configs = configMap(await admin.describeConfigs({ resources: [resource] }))
  assert.equal(configs.get('retention.ms').configValue, '60000')
  assert.equal(configs.get('retention.ms').isDefault, false)
  assert.equal(configs.get('cleanup.policy').configValue, 'delete')
  assert.equal(configs.get('cleanup.policy').isDefault, true)

  // With synonyms: every source of the value, the one in force first, as Kafka lists them.
  configs = configMap(await admin.describeConfigs({ resources: [resource], includeSynonyms: true }))
  assert.deepEqual(configs.get('retention.ms').configSynonyms, [
    { configName: 'retention.ms', configValue: '60000', configSource: 1 }, // The topic's.
    { configName: 'log.retention.ms', configValue: '604800000', configSource: 5 }, // Default.
  ])
  assert.deepEqual(configs.get('cleanup.policy').configSynonyms, [
    { configName: 'log.cleanup.policy', configValue: 'delete', configSource: 5 },
  ])

  // Only the names asked for.
  configs = configMap(
    await admin.describeConfigs({ resources: [{ ...resource, configNames: ['cleanup.policy'] }] })
  )
  assert.deepEqual([...configs.keys()], ['cleanup.policy'])

  // AlterConfigs replaces the topic's whole set: retention.ms goes back to its default.
  const altered = await admin.alterConfigs({
    resources: [{ ...resource, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  })
  assert.deepEqual(altered.resources.map(r => [r.resourceName, r.errorCode]), [['js-configs', 0]])
  configs = configMap(await admin.describeConfigs({ resources: [resource] }))
  assert.equal(configs.get('cleanup.policy').configValue, 'compact')
  assert.equal(configs.get('retention.ms').isDefault, true)

  // validateOnly changes nothing; a bad value is refused.
  await admin.alterConfigs({
    validateOnly: true,
    resources: [{ ...resource, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }],
  })
  configs = configMap(await admin.describeConfigs({ resources: [resource] }))
  assert.equal(configs.get('cleanup.policy').configValue, 'compact')
  await assert.rejects(
    admin.alterConfigs({
      resources: [{ ...resource, configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
    })
  )
})

test('describeConfigs on the broker lists its settings', async () => {
  const configs = configMap(
    await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }] })
  )
  assert.ok(configs.size > 0)
  for (const entry of configs.values()) assert.equal(entry.readOnly, true)
})

test('deleteTopics removes a topic', async () => {
  await admin.createTopics({ topics: [{ topic: 'js-delete-me', numPartitions: 2 }] })
  await admin.deleteTopics({ topics: ['js-delete-me'] })
  assert.ok(!(await admin.listTopics()).includes('js-delete-me'))
  // Deleting it again: UNKNOWN_TOPIC_OR_PARTITION (which kafkajs retries; this admin does not).
  const once = kafka('admin-test-no-retry', { retries: 0 }).admin()
  await once.connect()
  try {
    await assert.rejects(once.deleteTopics({ topics: ['js-delete-me'] }),
      e => e.cause?.type === 'UNKNOWN_TOPIC_OR_PARTITION')
  } finally {
    await once.disconnect()
  }
})

test('fetchTopicOffsets and fetchTopicOffsetsByTimestamp', async () => {
  await admin.createTopics({ topics: [{ topic: 'js-offsets', numPartitions: 2 }] })
  const producer = client.producer()
  await producer.connect()
  // Partition 0: timestamps 1000, 2000, ..., 5000. Partition 1: nothing.
  await producer.send({
    topic: 'js-offsets',
    messages: [1, 2, 3, 4, 5].map(i => ({ partition: 0, value: `v${i}`, timestamp: String(1000 * i) })),
  })
  await producer.disconnect()

  const offsets = (await admin.fetchTopicOffsets('js-offsets')).sort((a, b) => a.partition - b.partition)
  assert.deepEqual(offsets, [
    { partition: 0, offset: '5', high: '5', low: '0' },
    { partition: 1, offset: '0', high: '0', low: '0' },
  ])
  const at = async ts =>
    (await admin.fetchTopicOffsetsByTimestamp('js-offsets', ts)).sort((a, b) => a.partition - b.partition)
  // The first record at or after the time; past the last one, the log end.
  assert.deepEqual(await at(2500), [{ partition: 0, offset: '2' }, { partition: 1, offset: '0' }])
  assert.deepEqual(await at(1000), [{ partition: 0, offset: '0' }, { partition: 1, offset: '0' }])
  assert.deepEqual(await at(99999), [{ partition: 0, offset: '5' }, { partition: 1, offset: '0' }])
})
