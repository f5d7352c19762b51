"""kafka-python 2.x scenarios for the conformance suite.

Usage: kafka_python_client.py MODE CONFIG_JSON. Prints one JSON object on stdout; exit code 0 means
the scenario ran (its outcome is in the JSON), anything else is a crash the test reports.
"""
import json
import logging
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError

MODE = sys.argv[1]
CFG = json.loads(sys.argv[2])


def common():
    return dict(
        bootstrap_servers=CFG["bootstrap"],
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username=CFG["username"],
        sasl_plain_password=CFG["password"],
        client_id="conformance-kafka-python",
        request_timeout_ms=15000,
    )


def error_name(err):
    return type(err).__name__


def admin_create_topic():
    admin = KafkaAdminClient(**common())
    topic = NewTopic(CFG["topic"], num_partitions=CFG["partitions"], replication_factor=1, topic_configs=CFG["configs"])
    try:
        res = admin.create_topics([topic], validate_only=False)
    except KafkaError as err:
        admin.close()
        return {"error": error_name(err), "message": str(err)}
    errors = [[t, code] for (t, code, *_rest) in res.topic_errors]
    configs = {}
    if all(code == 0 for _t, code in errors):
        for response in admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, CFG["topic"])]):
            for entry in response.resources[0][4]:
                configs[entry[0]] = entry[1]
    admin.close()
    return {"errors": errors, "configs": configs}


def produce():
    producer = KafkaProducer(acks="all", **common())
    for i in range(CFG["count"]):
        producer.send(CFG["topic"], key=("k%d" % i).encode(), value=("v%d" % i).encode()).get(timeout=10)
    producer.flush()
    producer.close()
    return {"sent": CFG["count"]}


def group_consume():
    consumer = KafkaConsumer(
        CFG["topic"],
        group_id=CFG["group"],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=CFG.get("idleMs", 3000),
        **common(),
    )
    seen = []
    deadline = time.time() + 20
    for msg in consumer:
        seen.append([msg.partition, msg.offset, msg.value.decode()])
        consumer.commit()
        if len(seen) >= CFG["expect"] or time.time() > deadline:
            break
    consumer.close()
    return {"records": seen}


class Captured(logging.Handler):
    """Keeps kafka-python's own log lines, to tell an authentication failure from an unreachable broker."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def probe():
    """Connects and lists topics; reports the error class and the client's SASL log lines when refused."""
    captured = Captured()
    logging.getLogger("kafka.conn").addHandler(captured)
    logging.getLogger("kafka.conn").setLevel(logging.INFO)
    try:
        consumer = KafkaConsumer(**common())
        topics = sorted(consumer.topics())
        consumer.close()
        result = {"ok": True, "topics": topics}
    except KafkaError as err:
        result = {"ok": False, "error": error_name(err), "message": str(err)}
    result["log"] = [line for line in captured.lines if "uthenticat" in line or "reply from server" in line]
    return result


def denied_group():
    """Consumes in a group the principal may not use: reports the error the client raises."""
    try:
        consumer = KafkaConsumer(CFG["topic"], group_id=CFG["group"], auto_offset_reset="earliest", consumer_timeout_ms=5000, **common())
        got = [m.offset for m in consumer]
        consumer.close()
        return {"ok": True, "records": got}
    except KafkaError as err:
        return {"ok": False, "error": error_name(err), "message": str(err)}


MODES = {
    "admin-create-topic": admin_create_topic,
    "produce": produce,
    "group-consume": group_consume,
    "probe": probe,
    "denied-group": denied_group,
}

print(json.dumps(MODES[MODE]()))
