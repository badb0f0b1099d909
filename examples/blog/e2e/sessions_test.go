package e2e

import (
	"testing"
	"time"
)

// Logging out everywhere on A ends the user's JWT, token, session and
// refresh family on B within a second; another user's stay.
func TestLogoutEverywhereAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := blogEnv(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	for _, u := range []string{"dave", "erin"} {
		if out, code := run(t, env, "", "createuser", "--username", u, "--password", u+"-pass-1"); code != 0 {
			t.Fatalf("createuser: exit %d: %s", code, out)
		}
	}
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))

	// creds logs user in on A with every class; the checks run on B.
	type cred struct{ header []string }
	creds := func(user string) (map[string]cred, string) {
		body := map[string]string{"username": user, "password": user + "-pass-1"}
		r := a.client().do("POST", "/auth/jwt/login", body)
		expect(t, "jwt login", r, 200)
		refresh := cookie(r, "refresh_token").Value
		out := map[string]cred{"jwt": {[]string{"Authorization", "Bearer " + r.json(t)["access_token"].(string)}}}
		r = a.client().do("POST", "/auth/token/login", body)
		expect(t, "token login", r, 200)
		out["token"] = cred{[]string{"Authorization", "Token " + r.json(t)["token"].(string)}}
		r = a.client().do("POST", "/auth/session/login", body)
		expect(t, "session login", r, 200)
		out["session"] = cred{[]string{"Cookie", "sessionid=" + cookie(r, "sessionid").Value + "; csrftoken=" + cookie(r, "csrftoken").Value}}
		return out, refresh
	}
	dave, refresh := creds("dave")
	erin, _ := creds("erin")
	for class, c := range dave {
		expect(t, "dave's "+class+" on B before", b.client().do("GET", "/auth/me", nil, c.header...), 200)
	}
	expect(t, "anonymous logout-all", a.client().do("POST", "/auth/sessions/logout-all", nil), 401)
	r := a.client().do("POST", "/auth/sessions/logout-all", nil, dave["token"].header...)
	expect(t, "logout-all on A", r, 200)
	if d := r.detail(t); d != "Successfully logged out." {
		t.Fatalf("detail %q", d)
	}
	at := time.Now()
	// B caches users for at most a second.
	for class, c := range dave {
		for b.client().do("GET", "/auth/me", nil, c.header...).status != 401 {
			if time.Since(at) > 1500*time.Millisecond {
				t.Fatalf("dave's %s still works on B %s after logout-all", class, time.Since(at))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	expect(t, "dave's refresh on B", b.client().do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": refresh}), 401)
	for class, c := range erin {
		expect(t, "erin's "+class+" on B after dave's logout-all", b.client().do("GET", "/auth/me", nil, c.header...), 200)
	}
	expect(t, "dave logs in again on B", b.client().do("POST", "/auth/token/login", map[string]string{"username": "dave", "password": "dave-pass-1"}), 200)
}
