package password

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

func TestHashVerifyRoundTrip(t *testing.T) {
	h := New(Cheap, 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not PHC argon2id: %q", enc)
	}
	enc2, _ := h.Hash(ctx, "correct horse")
	if enc == enc2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	tests := []struct {
		pw         string
		ok, rehash bool
	}{
		{"correct horse", true, false},
		{"correct horsE", false, false},
		{"", false, false},
		{"correct horse ", false, false},
	}
	for _, tt := range tests {
		ok, rehash, err := h.Verify(ctx, tt.pw, enc)
		if err != nil || ok != tt.ok || rehash != tt.rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want %v, %v", tt.pw, ok, rehash, err, tt.ok, tt.rehash)
		}
	}
	if _, err := h.Hash(ctx, ""); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty password hashed: %v", err)
	}
}

func TestRehashWhenCostChanges(t *testing.T) {
	ctx := context.Background()
	old, _ := New(Cheap, 0).Hash(ctx, "pw")
	stronger := Cheap
	stronger.Time = 2
	ok, rehash, err := New(stronger, 0).Verify(ctx, "pw", old)
	if !ok || !rehash || err != nil {
		t.Fatalf("got %v %v %v, want ok and rehash", ok, rehash, err)
	}
}

// The pbkdf2 vectors were computed independently with Python's
// hashlib.pbkdf2_hmac, the primitive Django's PBKDF2PasswordHasher uses.
func TestDjangoHashes(t *testing.T) {
	ctx := context.Background()
	h := New(Cheap, 0)
	b64 := base64.RawStdEncoding
	salt := []byte("somesaltsomesalt")
	djArgon := "argon2$argon2id$v=19$m=512,t=2,p=2$" + b64.EncodeToString(salt) + "$" +
		b64.EncodeToString(argon2.IDKey([]byte("django-pw"), salt, 2, 512, 2, 32))
	tests := []struct {
		name, pw, hash string
		ok             bool
	}{
		{"pbkdf2 right", "alice-pass-1", "pbkdf2_sha256$1000$Xb3cS4lt$EYES8r12yT+4Q+usIZqr5UwKOStnlfQ/VCW+4PtVUVU=", true},
		{"pbkdf2 wrong", "alice-pass-2", "pbkdf2_sha256$1000$Xb3cS4lt$EYES8r12yT+4Q+usIZqr5UwKOStnlfQ/VCW+4PtVUVU=", false},
		{"pbkdf2 unicode", "pässwörd", "pbkdf2_sha256$2000$abcdefgh12$MddsqgKpFzUoSFDwolPCT9d2Eyfc63pH2r56/uTw6x8=", true},
		{"pbkdf2 other iter", "pässwörd", "pbkdf2_sha256$2001$abcdefgh12$MddsqgKpFzUoSFDwolPCT9d2Eyfc63pH2r56/uTw6x8=", false},
		{"django argon2 right", "django-pw", djArgon, true},
		{"django argon2 wrong", "django-pW", djArgon, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(ctx, tt.pw, tt.hash)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || !rehash {
				t.Fatalf("ok=%v rehash=%v, want ok=%v rehash=true", ok, rehash, tt.ok)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	h := New(Cheap, 0)
	for _, s := range []string{
		"", "!", "!unusable", "md5$abc$def", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$$aGFzaGhhc2hoYXNoaGFzaA",
		"pbkdf2_sha256$0$salt$EYES8r12yT+4Q+usIZqr5UwKOStnlfQ/VCW+4PtVUVU=",
		"pbkdf2_sha256$999999999$salt$EYES8r12yT+4Q+usIZqr5UwKOStnlfQ/VCW+4PtVUVU=",
		"pbkdf2_sha256$1000$salt$!!!",
		"pbkdf2_sha256$1000$$EYES8r12yT+4Q+usIZqr5UwKOStnlfQ/VCW+4PtVUVU=",
		"pbkdf2_sha256$1000$salt",
	} {
		if ok, _, err := h.Verify(context.Background(), "pw", s); ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("Verify(%q) = %v, %v; want ErrMalformed", s, ok, err)
		}
	}
}

func TestConcurrencyBounded(t *testing.T) {
	h := New(Params{Time: 1, Memory: 2048, Threads: 1, SaltLen: 16, KeyLen: 32}, 2)
	enc, _ := h.Hash(context.Background(), "pw")
	var cur, peak atomic.Int32
	// Observe the semaphore directly: its length is the number of running hashes.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				n := int32(len(h.sem))
				cur.Store(n)
				if n > peak.Load() {
					peak.Store(n)
				}
			}
		}
	}()
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.Verify(context.Background(), "pw", enc)
		}()
	}
	wg.Wait()
	close(stop)
	if p := peak.Load(); p > 2 || p == 0 {
		t.Fatalf("peak concurrent hashes %d, want 1..2", p)
	}
	// A full semaphore makes a caller with a dead context give up.
	h.sem <- struct{}{}
	h.sem <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := h.Verify(ctx, "pw", enc); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", err)
	}
}

func TestDefaultCost(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the real cost")
	}
	h := New(Default, 0)
	enc, _ := h.Hash(context.Background(), "pw")
	start := time.Now()
	ok, rehash, err := h.Verify(context.Background(), "pw", enc)
	d := time.Since(start)
	if !ok || rehash || err != nil {
		t.Fatal(ok, rehash, err)
	}
	t.Logf("default verify: %v", d)
	if d < 5*time.Millisecond {
		t.Errorf("default verify took %v: too cheap", d)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("pw", "pbkdf2_sha256$1000$Xb3cS4lt$EYES8r12yT+4Q+usIZqr5UwKOStnlfQ/VCW+4PtVUVU=")
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("pw", "argon2$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	h := New(Cheap, 0)
	f.Fuzz(func(t *testing.T, pw, enc string) {
		if len(enc) > 200 || strings.Contains(enc, "pbkdf2") {
			// Bound the work of one input; parse alone is still exercised.
			parse(enc)
			return
		}
		p, err := parse(enc)
		if err == nil && (p.p.Memory > 4096 || p.p.Time > 4) {
			return
		}
		ok, _, err := h.Verify(context.Background(), pw, enc)
		if err != nil && ok {
			t.Fatal("ok with error")
		}
	})
}
