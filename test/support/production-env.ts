/**
 * The environment of a production deployment with every system configured (no sandbox stands in
 * unless named with `--sandbox`); the values are placeholders, nothing connects to them.
 */
export const PRODUCTION_ENV: Readonly<Record<string, string>> = {
  BREACHLINE_TEMPORAL_ADDRESS: 'temporal:7233',
  BREACHLINE_KAFKA_BROKERS: 'kafka:9092',
  BREACHLINE_KAFKA_USERNAME: 'breachline',
  BREACHLINE_KAFKA_PASSWORD: 'secret',
  BREACHLINE_VAULT_ADDRESS: 'https://vault:8200',
  BREACHLINE_VAULT_TOKEN: 'root',
  BREACHLINE_SLACK_API_URL: 'https://slack.com/api/',
  BREACHLINE_SLACK_BOT_TOKEN: 'xoxb-x',
  BREACHLINE_SLACK_SIGNING_SECRET: 'signing',
};
