package authhttp

import (
	"net/http"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/authn/accounts"
	"github.com/wardhq/ward/runtime/drf"
)

// MsgLoggedOut is dj-rest-auth's answer to a logout.
const MsgLoggedOut = "Successfully logged out."

// LogoutEverywhere returns the handler of POST /auth/sessions/logout-all:
// the caller, authenticated by chain, is logged out of every session,
// token and refresh family, this one included (accounts.LogoutEverywhere;
// within a second on every instance). 401 when anonymous.
func LogoutEverywhere(chain authn.Chain, acc *accounts.Accounts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		NoStore(w)
		if r.Method != http.MethodPost {
			MethodNotAllowed("POST", "OPTIONS")(w, r)
			return
		}
		res, err := chain.Authenticate(r)
		if err != nil {
			chain.WriteError(w, err)
			return
		}
		if res.User == nil {
			chain.Unauthenticated(w)
			return
		}
		if err := acc.LogoutEverywhere(r.Context(), res.User.ID); err != nil {
			WriteError(w, "", accounts.Unavailable(err))
			return
		}
		drf.Detail(w, http.StatusOK, MsgLoggedOut)
	})
}
