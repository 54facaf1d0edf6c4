// A real brook broker for Node tests: start() spawns the brook binary in memory on free
// ports and resolves once it is ready; stop() ends it. The broker speaks Kafka, so kafkajs
// (or any Kafka client) connects to broker.kafka. reset(), advanceClock() and addFault() drive
// it through the brook CLI. Copy this file into your project: it finds the binary in
// $BROOK_BINARY, else `brook` on PATH.
'use strict'

const { spawn, execFile } = require('node:child_process')
const readline = require('node:readline')
const { promisify } = require('node:util')

const BINARY = process.env.BROOK_BINARY || 'brook'

class BrookBroker {
  constructor(child, ready) {
    this.child = child
    this.kafka = ready.kafka // HOST:PORT: brokers for Kafka clients
    this.native = ready.native // HOST:PORT of brook's own protocol (the CLI's)
  }

  // A fresh broker in memory; rejects if it does not start. `manualClock`: its clock stands
  // still until advanceClock().
  static start({ manualClock = false, flags = [] } = {}) {
    const args = ['serve', '--in-memory', '--listen', '127.0.0.1:0', '--kafka-listen',
      '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--exit-with-parent', '--log-level', 'warn']
    if (manualClock) args.push('--clock', 'manual')
    const child = spawn(BINARY, [...args, ...flags], { stdio: ['ignore', 'pipe', 'inherit'] })
    return new Promise((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout })
      child.once('error', reject)
      child.once('exit', code => reject(new Error(`brook exited with ${code} before it was ready`)))
      lines.once('line', line => {
        try {
          resolve(new BrookBroker(child, JSON.parse(line)))
        } catch (e) {
          child.kill('SIGKILL')
          reject(new Error(`brook did not start (first line: ${line})`))
        }
      })
    })
  }

  stop() {
    return new Promise((resolve, reject) => {
      this.child.removeAllListeners('exit')
      this.child.once('exit', code => (code === 0 ? resolve() : reject(new Error(`brook exited with ${code}`))))
      this.child.kill('SIGTERM')
    })
  }

  // Runs `brook ARGS --bootstrap NATIVE`; resolves to its output.
  async cli(...args) {
    const { stdout } = await promisify(execFile)(BINARY, [...args, '--bootstrap', this.native])
    return stdout
  }

  // Drops every topic, group, offset and armed fault: the broker is as new.
  reset() { return this.cli('reset', '--yes') }

  // Moves a manualClock broker's clock forward: retention, session timeouts and everything
  // else the broker times see the time pass.
  advanceClock(ms) { return this.cli('clock', 'advance', `${ms}ms`) }

  // Arms a fault: `brook fault add` flags, e.g. '--api', 'Produce', '--error',
  // 'NOT_LEADER_OR_FOLLOWER', '--count', '2'.
  addFault(...flags) { return this.cli('fault', 'add', ...flags) }

  // The armed faults, each with its id, api, action, remaining, matched and fired counts
  // (`brook fault list --json`).
  async faults() {
    const out = await this.cli('fault', 'list', '--json')
    return out.split('\n').filter(line => line).map(line => JSON.parse(line))
  }
}

module.exports = { BrookBroker }
