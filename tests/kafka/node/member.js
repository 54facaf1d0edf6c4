// A kafkajs group member in a process of its own, for groups.test.js to kill: joins GROUP on
// TOPIC (argv[2], argv[3]) with support.js' FAST_GROUP settings and prints each assignment it
// gets as a JSON line (the partitions of TOPIC).
'use strict'

const { kafka, FAST_GROUP } = require('./support')

const [groupId, topic] = process.argv.slice(2)
const consumer = kafka('member-process').consumer({ groupId, ...FAST_GROUP })
consumer.on(consumer.events.GROUP_JOIN, e => {
  console.log(JSON.stringify(e.payload.memberAssignment[topic] || []))
})
consumer
  .connect()
  .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
  .then(() => consumer.run({ eachMessage: async () => {} }))
  .catch(e => {
    console.error(e)
    process.exit(1)
  })
