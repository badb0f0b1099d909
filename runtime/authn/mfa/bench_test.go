package mfa

import (
	"testing"
	"time"

	"github.com/wardhq/ward/runtime/password"
)

// BenchmarkLogin is a token login of one user over HTTP handlers, with
// the production password hasher: the password alone, then the same user
// enrolled in MFA (the first step, then a TOTP code with the ticket).
func BenchmarkLogin(b *testing.B) {
	for _, enrolled := range []bool{false, true} {
		name := "password"
		if enrolled {
			name = "password+totp"
		}
		b.Run(name, func(b *testing.B) {
			e := newEnvHasher(b, password.New(password.Default, 0))
			e.m.cfg.Rate = 1 << 30 // the benchmark is not an attack
			secret := ""
			if enrolled {
				secret, _ = e.enrol()
			}
			b.ResetTimer()
			for range b.N {
				if !enrolled {
					if code, _, _ := e.do("POST", "/auth/token/login", login); code != 200 {
						b.Fatalf("login: %d", code)
					}
					continue
				}
				tk := e.ticket("token")
				e.clock = e.clock.Add(Period * time.Second)
				if code, _, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+e.code(secret, 0)+`"}`); code != 200 {
					b.Fatalf("second step: %d", code)
				}
			}
		})
	}
}

// BenchmarkSecondStep is the second step alone: the ticket, the TOTP code
// (replay check included) and the token issued.
func BenchmarkSecondStep(b *testing.B) {
	e := newEnv(b)
	e.m.cfg.Rate = 1 << 30
	secret, _ := e.enrol()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		tk := e.ticket("token")
		e.clock = e.clock.Add(Period * time.Second)
		code := e.code(secret, 0)
		b.StartTimer()
		if c, _, _ := e.do("POST", "/auth/2fa/authenticate", `{"ticket":"`+tk+`","code":"`+code+`"}`); c != 200 {
			b.Fatalf("second step: %d", c)
		}
	}
}
