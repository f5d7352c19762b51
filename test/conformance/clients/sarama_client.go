// A Kafka client in Go, built on Sarama (Debian's golang-github-shopify-sarama-dev), for the
// conformance suite: what a team's own Go service would do against the sandbox broker.
//
//	sarama_client produce  BOOTSTRAP USER PASSWORD TOPIC COUNT
//	sarama_client consume  BOOTSTRAP USER PASSWORD TOPIC GROUP COUNT
//	sarama_client metadata BOOTSTRAP USER PASSWORD
//
// Output: one JSON object per line; errors go to stderr with exit code 1.
//
// Sarama 1.22 does not negotiate versions: it speaks what `Config.Version` names. V0_11_0_0 is the
// newest setting whose requests the sandbox serves (Metadata v1, Produce v3, Fetch v4, JoinGroup
// v1, OffsetCommit v2, OffsetFetch v1, ListOffsets v1); SCRAM goes through SaslHandshake v1 and
// SaslAuthenticate v0 whatever the setting. Sarama leaves the SCRAM exchange to the application, so
// RFC 5802 client-side is written out below (SHA-512, PBKDF2 by hand: only the standard library).
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

type scramClient struct {
	user, password, nonce, firstBare string
	serverSignature                  []byte
	step                             int
}

func (c *scramClient) Begin(user, password, _ string) error {
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	c.user, c.password, c.nonce, c.step = user, password, base64.RawStdEncoding.EncodeToString(raw), 0
	return nil
}

func pbkdf2(password, salt []byte, iterations int) []byte {
	mac := hmac.New(sha512.New, password)
	mac.Write(salt)
	mac.Write([]byte{0, 0, 0, 1})
	u := mac.Sum(nil)
	out := append([]byte(nil), u...)
	for i := 1; i < iterations; i++ {
		mac.Reset()
		mac.Write(u)
		u = mac.Sum(nil)
		for j := range out {
			out[j] ^= u[j]
		}
	}
	return out
}

func hmacSum(key, data []byte) []byte {
	mac := hmac.New(sha512.New, key)
	mac.Write(data)
	return mac.Sum(nil)
}

func (c *scramClient) Step(challenge string) (string, error) {
	c.step++
	switch c.step {
	case 1:
		c.firstBare = "n=" + strings.NewReplacer("=", "=3D", ",", "=2C").Replace(c.user) + ",r=" + c.nonce
		return "n,," + c.firstBare, nil
	case 2:
		attrs := map[string]string{}
		for _, part := range strings.Split(challenge, ",") {
			if len(part) > 2 && part[1] == '=' {
				attrs[part[:1]] = part[2:]
			}
		}
		if !strings.HasPrefix(attrs["r"], c.nonce) {
			return "", errors.New("server nonce does not extend ours")
		}
		salt, err := base64.StdEncoding.DecodeString(attrs["s"])
		if err != nil {
			return "", err
		}
		iterations, err := strconv.Atoi(attrs["i"])
		if err != nil {
			return "", err
		}
		salted := pbkdf2([]byte(c.password), salt, iterations)
		clientKey := hmacSum(salted, []byte("Client Key"))
		stored := sha512.Sum512(clientKey)
		finalBare := "c=biws,r=" + attrs["r"]
		authMessage := c.firstBare + "," + challenge + "," + finalBare
		signature := hmacSum(stored[:], []byte(authMessage))
		proof := make([]byte, len(clientKey))
		for i := range clientKey {
			proof[i] = clientKey[i] ^ signature[i]
		}
		c.serverSignature = hmacSum(hmacSum(salted, []byte("Server Key")), []byte(authMessage))
		return finalBare + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
	default:
		if !strings.HasPrefix(challenge, "v=") || challenge[2:] != base64.StdEncoding.EncodeToString(c.serverSignature) {
			return "", errors.New("server signature does not verify")
		}
		return "", nil
	}
}

func (c *scramClient) Done() bool { return c.step >= 3 }

func config(user, password string) *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.ClientID = "sarama-conformance"
	cfg.Version = sarama.V0_11_0_0
	cfg.Net.SASL.Enable = true
	cfg.Net.SASL.Handshake = true
	cfg.Net.SASL.User = user
	cfg.Net.SASL.Password = password
	cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
	cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{} }
	cfg.Metadata.Retry.Max = 1
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Retry.Max = 1
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Return.Errors = true
	cfg.Consumer.Group.Rebalance.Timeout = 10 * time.Second
	return cfg
}

func emit(v interface{}) {
	line, _ := json.Marshal(v)
	fmt.Println(string(line))
}

func produce(bootstrap, user, password, topic string, count int) error {
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, config(user, password))
	if err != nil {
		return err
	}
	defer producer.Close()
	// Recent CreateTimes, a second apart: a timestamp older than the topic's retention would be
	// deleted by the broker before anyone reads it.
	base := time.Now().Add(-time.Duration(count) * time.Second).Truncate(time.Millisecond)
	for i := 0; i < count; i++ {
		stamp := base.Add(time.Duration(i) * time.Second)
		msg := &sarama.ProducerMessage{
			Topic:     topic,
			Key:       sarama.StringEncoder(fmt.Sprintf("order-%d", i)),
			Value:     sarama.StringEncoder(fmt.Sprintf(`{"n":%d}`, i)),
			Headers:   []sarama.RecordHeader{{Key: []byte("source"), Value: []byte("sarama")}},
			Timestamp: stamp,
		}
		partition, offset, err := producer.SendMessage(msg)
		if err != nil {
			return err
		}
		emit(map[string]interface{}{"produced": i, "partition": partition, "offset": offset, "timestamp": stamp.UnixMilli()})
	}
	return nil
}

type handler struct {
	mu     sync.Mutex
	seen   int
	want   int
	done   chan struct{}
	closed bool
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *handler) ConsumeClaim(session sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		headers := map[string]string{}
		for _, hd := range msg.Headers {
			headers[string(hd.Key)] = string(hd.Value)
		}
		emit(map[string]interface{}{"key": string(msg.Key), "value": string(msg.Value), "partition": msg.Partition, "offset": msg.Offset, "timestamp": msg.Timestamp.UnixMilli(), "headers": headers})
		session.MarkMessage(msg, "")
		h.mu.Lock()
		h.seen++
		if h.seen >= h.want && !h.closed {
			h.closed = true
			close(h.done)
		}
		h.mu.Unlock()
	}
	return nil
}

func consume(bootstrap, user, password, topic, group string, count int) error {
	cfg := config(user, password)
	cfg.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	cg, err := sarama.NewConsumerGroup([]string{bootstrap}, group, cfg)
	if err != nil {
		return err
	}
	h := &handler{want: count, done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	failed := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if err := cg.Consume(ctx, []string{topic}, h); err != nil {
				failed <- err
				return
			}
		}
	}()
	select {
	case <-h.done:
	case err := <-failed:
		cg.Close()
		return err
	case err := <-cg.Errors():
		cg.Close()
		return err
	case <-ctx.Done():
		cg.Close()
		return fmt.Errorf("consumed %d of %d records before the deadline", h.seen, count)
	}
	// Close commits what was marked and leaves the group.
	return cg.Close()
}

func metadata(bootstrap, user, password string) error {
	client, err := sarama.NewClient([]string{bootstrap}, config(user, password))
	if err != nil {
		return err
	}
	defer client.Close()
	topics, err := client.Topics()
	if err != nil {
		return err
	}
	emit(map[string]interface{}{"brokers": len(client.Brokers()), "topics": topics})
	return nil
}

func main() {
	if os.Getenv("SARAMA_LOG") != "" {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.Lmicroseconds)
	}
	args := os.Args[1:]
	var err error
	switch {
	case len(args) == 6 && args[0] == "produce":
		n, _ := strconv.Atoi(args[5])
		err = produce(args[1], args[2], args[3], args[4], n)
	case len(args) == 7 && args[0] == "consume":
		n, _ := strconv.Atoi(args[6])
		err = consume(args[1], args[2], args[3], args[4], args[5], n)
	case len(args) == 4 && args[0] == "metadata":
		err = metadata(args[1], args[2], args[3])
	default:
		err = errors.New("usage: sarama_client produce|consume|metadata BOOTSTRAP USER PASSWORD ...")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
