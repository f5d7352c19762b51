/*
 * Scenarios breachline can seed on the sandbox and raise an alert for, read from the drill
 * scenario registry (`scenario-registry.ts`). Kept so existing imports keep working; new code
 * imports the registry. The seeded scenario and the runbook have different names: the sandbox
 * scenario is a concrete breach (`trading-exfiltration`), the runbook answers a class of breaches
 * (`kafka-exfiltration`).
 */
export { SCENARIOS, parseScenario, scenarioAlertPayload, type ScenarioName } from './scenario-registry';
