// Scenario tests: `.events` files with `### test:` and `### expect …` blocks, run against a transport.
export { eventSender, type EventSend } from './event-sender';
export { matchesExpected, nearness, type Nearness } from './match';
export { runScenarios, scenarioTests, type RunScenarioOptions, type ScenarioTestResult, type ScenarioFailure, type NearEvent } from './runner';
export { makeScenario, fixtureTargetKey, type MakeScenarioOptions, type MadeScenario } from './make-scenario';
