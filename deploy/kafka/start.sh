#!/bin/bash
# Starts a single-node KRaft Kafka (broker + controller) for breachline:
# - clients: SASL_SSL on :9092 (TLS with the dev CA of deploy/pki/generate.sh, a client
#   certificate required: ssl.client.auth=required) and SCRAM-SHA-512 on top, advertised as
#   localhost:9092 for a breachline running on the host;
# - the controller listener is PLAINTEXT on the container's loopback only, so the anonymous
#   principal it carries (a super user: the controller authorises the broker's own requests)
#   cannot be reached from outside the container;
# - StandardAuthorizer, no access without an ACL, `User:breachline` a super user, created at
#   format time with its SCRAM-SHA-512 credential.
set -euo pipefail
: "${BREACHLINE_KAFKA_PASSWORD:?set BREACHLINE_KAFKA_PASSWORD}"
: "${KAFKA_CLUSTER_ID:?set KAFKA_CLUSTER_ID}"
: "${KAFKA_KEYSTORE_PASSWORD:?set KAFKA_KEYSTORE_PASSWORD}"
PKI=/breachline/pki
[ -r "$PKI/kafka.p12" ] || { echo "no $PKI/kafka.p12: run deploy/pki/generate.sh on the host first" >&2; exit 1; }
KAFKA=/opt/kafka
CONF=/tmp/breachline-server.properties
DATA=/var/lib/kafka/data

cat > "$CONF" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=SASL_SSL://0.0.0.0:9092,CONTROLLER://localhost:9093
advertised.listeners=SASL_SSL://localhost:9092
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
ssl.keystore.type=PKCS12
ssl.keystore.location=${PKI}/kafka.p12
ssl.keystore.password=${KAFKA_KEYSTORE_PASSWORD}
ssl.key.password=${KAFKA_KEYSTORE_PASSWORD}
ssl.truststore.type=PEM
ssl.truststore.location=${PKI}/ca.crt
ssl.client.auth=required
ssl.endpoint.identification.algorithm=https
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="breachline" password="${BREACHLINE_KAFKA_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:breachline;User:ANONYMOUS
log.dirs=${DATA}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

# Idempotent: an already formatted directory keeps its data and credentials.
"$KAFKA/bin/kafka-storage.sh" format --config "$CONF" --cluster-id "$KAFKA_CLUSTER_ID" --ignore-formatted \
  --add-scram "SCRAM-SHA-512=[name=breachline,password=${BREACHLINE_KAFKA_PASSWORD}]"

# Client config for the health check (the broker's own certificate serves as the client's).
cat > /tmp/breachline-client.properties <<PROPS
security.protocol=SASL_SSL
ssl.truststore.type=PEM
ssl.truststore.location=${PKI}/ca.crt
ssl.keystore.type=PKCS12
ssl.keystore.location=${PKI}/kafka.p12
ssl.keystore.password=${KAFKA_KEYSTORE_PASSWORD}
ssl.key.password=${KAFKA_KEYSTORE_PASSWORD}
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="breachline" password="${BREACHLINE_KAFKA_PASSWORD}";
PROPS

exec "$KAFKA/bin/kafka-server-start.sh" "$CONF"
