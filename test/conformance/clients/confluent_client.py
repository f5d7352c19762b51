"""confluent-kafka (librdkafka) scenarios for the conformance suite.

Usage: confluent_client.py MODE CONFIG_JSON. Prints one JSON object on stdout; exit code 0 means
the scenario ran (its outcome is in the JSON), anything else is a crash the test reports.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

MODE = sys.argv[1]
CFG = json.loads(sys.argv[2])


def common():
    return {
        "bootstrap.servers": CFG["bootstrap"],
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": CFG["username"],
        "sasl.password": CFG["password"],
        "client.id": "conformance-confluent",
    }


def produce():
    """Keys, headers and explicit CreateTime timestamps; reports each delivery."""
    producer = Producer({**common(), "acks": "all", "linger.ms": 5})
    delivered = []
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err.name())
        else:
            delivered.append([msg.partition(), msg.offset(), msg.key().decode()])

    for rec in CFG["records"]:
        producer.produce(
            CFG["topic"],
            key=rec["key"].encode(),
            value=rec["value"].encode(),
            headers=[(k, v.encode()) for k, v in rec["headers"].items()],
            timestamp=rec["timestamp"],
            on_delivery=on_delivery,
        )
    remaining = producer.flush(15)
    return {"delivered": delivered, "errors": errors, "undelivered": remaining}


def group_consume():
    consumer = Consumer({**common(), "group.id": CFG["group"], "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([CFG["topic"]])
    seen = []
    errors = []
    deadline = time.time() + 20
    while len(seen) < CFG["expect"] and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() != KafkaError._PARTITION_EOF:
                errors.append(msg.error().name())
                break
            continue
        seen.append({
            "partition": msg.partition(),
            "offset": msg.offset(),
            "key": msg.key().decode(),
            "value": msg.value().decode(),
            "headers": {k: v.decode() for k, v in (msg.headers() or [])},
            "timestamp": msg.timestamp()[1],
            "timestampType": msg.timestamp()[0],
        })
        consumer.commit(message=msg, asynchronous=False)
    committed = consumer.committed([TopicPartition(CFG["topic"], p) for p in range(CFG["partitions"])], timeout=10)
    consumer.close()
    return {"records": seen, "errors": errors, "committed": [[tp.partition, tp.offset] for tp in committed]}


def offsets_for_times():
    consumer = Consumer({**common(), "group.id": CFG["group"]})
    tps = [TopicPartition(CFG["topic"], p, CFG["timestamp"]) for p in range(CFG["partitions"])]
    found = consumer.offsets_for_times(tps, timeout=10)
    consumer.close()
    return {"offsets": [[tp.partition, tp.offset] for tp in found]}


def denied_produce():
    """A producer without WRITE: reports the delivery error librdkafka gives."""
    producer = Producer({**common(), "message.timeout.ms": 8000})
    errors = []
    producer.produce(CFG["topic"], value=b"x", on_delivery=lambda err, _msg: errors.append(err.name() if err else "OK"))
    producer.flush(10)
    return {"results": errors}


def denied_consume():
    consumer = Consumer({**common(), "group.id": CFG["group"], "auto.offset.reset": "earliest"})
    consumer.subscribe([CFG["topic"]])
    deadline = time.time() + 10
    errors = []
    while time.time() < deadline and not errors:
        msg = consumer.poll(0.5)
        if msg is not None and msg.error() and msg.error().code() != KafkaError._PARTITION_EOF:
            errors.append(msg.error().name())
    consumer.close()
    return {"errors": errors}


def admin():
    """AdminClient: create a topic with configs, read them back, list topics and groups, delete it."""
    client = AdminClient(common())
    out = {}
    try:
        client.create_topics([NewTopic(CFG["topic"], CFG["partitions"], 1, config=CFG["configs"])])[CFG["topic"]].result()
        described = client.describe_configs([ConfigResource("topic", CFG["topic"])])
        entries = list(described.values())[0].result()
        out["configs"] = {k: entries[k].value for k in CFG["configs"]}
        # ConfigSource per entry (DescribeConfigs v1+): the overrides, and one broker default.
        out["sources"] = {k: int(entries[k].source) for k in [*CFG["configs"], "segment.bytes"]}
        out["partitions"] = len(client.list_topics(CFG["topic"], timeout=10).topics[CFG["topic"]].partitions)
        out["groups"] = sorted(g.id for g in client.list_groups(timeout=10))
        client.delete_topics([CFG["topic"]])[CFG["topic"]].result()
        out["after_delete"] = CFG["topic"] in client.list_topics(timeout=10).topics
    except KafkaException as err:
        out["error"] = err.args[0].name()
    return out


MODES = {
    "admin": admin,
    "produce": produce,
    "group-consume": group_consume,
    "offsets-for-times": offsets_for_times,
    "denied-produce": denied_produce,
    "denied-consume": denied_consume,
}

try:
    print(json.dumps(MODES[MODE]()))
except KafkaException as err:
    print(json.dumps({"exception": err.args[0].name() if err.args else str(err)}))
