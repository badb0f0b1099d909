package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/password"
	"github.com/wardhq/ward/runtime/store"
	"github.com/wardhq/ward/runtime/store/memstore"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Ann@Example.COM ": "ann@example.com",
		"a.b+c@x.io":        "a.b+c@x.io",
		"":                  "",
		"ann":               "",
		"ann@localhost":     "",
		"Ann <a@x.io>":      "",
		"a@x.io, b@x.io":    "",
		"@x.io":             "",
		"a@@x.io":           "",
	} {
		got, err := NormalizeEmail(in)
		if got != want || (want == "") != errors.Is(err, ErrInvalidEmail) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestUID(t *testing.T) {
	if got := EncodeUID(1); got != "MQ" {
		t.Fatalf("EncodeUID(1) = %q, want Django's MQ", got)
	}
	for _, id := range []int64{1, 42, 1 << 40} {
		if got, ok := DecodeUID(EncodeUID(id)); !ok || got != id {
			t.Errorf("round trip %d: %d %v", id, got, ok)
		}
	}
	for _, bad := range []string{"", "!!", "MA", "LTE", "MDE", "YQ", strings.Repeat("MQ", 20)} { // 0, -1, 01, a, too long
		if _, ok := DecodeUID(bad); ok {
			t.Errorf("DecodeUID(%q) ok", bad)
		}
	}
}

func FuzzDecodeUID(f *testing.F) {
	f.Add("MQ")
	f.Add("MDE")
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := DecodeUID(s); ok && EncodeUID(id) != s {
			t.Fatalf("DecodeUID(%q) = %d, which encodes as %q", s, id, EncodeUID(id))
		}
	})
}

func TestEmailKeys(t *testing.T) {
	k := EmailKeys{Secret: []byte("s3cret"), TTL: time.Hour}
	now := time.Unix(1_800_000_000, 0)
	key := k.Make(7, "ann@example.com", now)
	id, email, err := k.Check(key, now.Add(59*time.Minute))
	if err != nil || id != 7 || email != "ann@example.com" {
		t.Fatalf("Check = %d %q %v", id, email, err)
	}
	p, sig, _ := strings.Cut(key, ".")
	forged := EmailKeys{Secret: []byte("other"), TTL: time.Hour}.Make(7, "ann@example.com", now)
	for name, bad := range map[string]string{
		"expired":    key,
		"other key":  forged,
		"no sig":     p,
		"tampered":   p + "x." + sig,
		"empty":      "",
		"sig only":   "." + sig,
		"bad base64": "!!." + sig,
	} {
		at := now
		if name == "expired" {
			at = now.Add(time.Hour)
		}
		if _, _, err := k.Check(bad, at); !errors.Is(err, ErrBadKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzEmailKeyCheck(f *testing.F) {
	k := EmailKeys{Secret: []byte("s"), TTL: time.Hour}
	f.Add(k.Make(1, "a@b.c", time.Unix(0, 0)))
	f.Add("x.y")
	f.Fuzz(func(t *testing.T, s string) {
		k.Check(s, time.Unix(0, 0)) // must not panic
	})
}

func TestResetToken(t *testing.T) {
	a, h1, err := NewResetToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := NewResetToken()
	if a == b || len(a) != 43 || string(HashToken(a)) != string(h1) || string(h1) == a {
		t.Fatalf("tokens %q %q", a, b)
	}
}

// Mandatory verification: an unverified user with an email cannot log in;
// once verified, or without an email, they can.
func TestRequireVerified(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	h := password.New(password.Cheap, 0)
	a := New(st, h)
	a.RequireVerified = st
	id, err := Register(ctx, st, h, "ann", "ann@example.com", "correct-horse-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CheckCredentials(ctx, "ann", "correct-horse-1"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unverified: %v", err)
	}
	if err := st.VerifyEmail(ctx, id, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CheckCredentials(ctx, "ann", "correct-horse-1"); err != nil {
		t.Fatalf("verified: %v", err)
	}
	if _, err := CreateUser(ctx, st, h, "op", "operator-pw-1", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CheckCredentials(ctx, "op", "operator-pw-1"); err != nil {
		t.Fatalf("no email: %v", err)
	}
	if _, err := Register(ctx, st, h, "ann2", "ann@example.com", "x"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("taken email: %v", err)
	}
}
