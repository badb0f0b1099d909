// Package drf writes responses in the shapes Django REST Framework
// uses: {"detail": "..."} for most errors and a map of field to messages for
// validation errors. Messages are DRF's own, so clients written against DRF
// keep working. Nothing here ever puts an internal error into a body.
package drf

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wardhq/ward/runtime/jsonw"
)

// DRF's default messages.
const (
	NotAuthenticated    = "Authentication credentials were not provided."
	PermissionDenied    = "You do not have permission to perform this action."
	NotFoundDetail      = "Not found."
	InvalidPage         = "Invalid page."
	MalformedJSON       = "JSON parse error"
	FieldRequired       = "This field is required."
	FieldNull           = "This field may not be null."
	FieldBlank          = "This field may not be blank."
	BadCredentials      = "No active account found with the given credentials"
	InvalidCredentials  = "Invalid username/password."
	UserInactive        = "User inactive or deleted."
	InvalidToken        = "Invalid token."
	TokenNotValid       = "Token is invalid or expired"
	CodeTokenNotValid   = "token_not_valid"
	ServiceUnavailable  = "Service temporarily unavailable, try again later."
	RequestTooLarge     = "Request body too large."
	InternalServerError = "A server error occurred."
)

// bodies are the buffers JSON encodes into, reused across responses;
// one larger than maxPooledBody (a long list page) is left to the GC.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBody = 64 << 10

// applicationJSON is the Content-Type of every JSON answer.
var applicationJSON = []string{"application/json"}

// JSON writes v as a JSON body, followed by a newline, with the given
// status, in one Write: the bytes json.NewEncoder(w).Encode(v) writes,
// through v's AppendJSON when it is a jsonw.Appender (a generated model, a
// list page). A value that cannot be encoded is a 500.
func JSON(w http.ResponseWriter, status int, v any) {
	buf := bodies.Get().(*[]byte)
	b, err := jsonw.Append((*buf)[:0], v)
	if err != nil {
		status = http.StatusInternalServerError
		b = append((*buf)[:0], `{"detail":"`+InternalServerError+`"}`...)
	}
	b = append(b, '\n')
	// The key is canonical and the value shared: no allocation per
	// response. net/http only reads it.
	w.Header()["Content-Type"] = applicationJSON
	w.WriteHeader(status)
	w.Write(b)
	if cap(b) <= maxPooledBody {
		*buf = b
		bodies.Put(buf)
	}
}

type detail struct {
	Detail string `json:"detail"`
	Code   string `json:"code,omitempty"`
}

// Detail writes {"detail": msg} with the given status.
func Detail(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, detail{Detail: msg})
}

// DetailCode writes {"detail": msg, "code": code}, simplejwt's shape.
func DetailCode(w http.ResponseWriter, status int, msg, code string) {
	JSON(w, status, detail{Detail: msg, Code: code})
}

// Unauthorized writes a 401 with the WWW-Authenticate challenge.
func Unauthorized(w http.ResponseWriter, challenge, msg string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	Detail(w, http.StatusUnauthorized, msg)
}

// Forbidden writes a 403.
func Forbidden(w http.ResponseWriter, msg string) {
	if msg == "" {
		msg = PermissionDenied
	}
	Detail(w, http.StatusForbidden, msg)
}

// NotFound writes DRF's 404.
func NotFound(w http.ResponseWriter) { Detail(w, http.StatusNotFound, NotFoundDetail) }

// MethodNotAllowed writes DRF's 405 with the Allow header.
func MethodNotAllowed(w http.ResponseWriter, method string, allow []string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	Detail(w, http.StatusMethodNotAllowed, `Method "`+method+`" not allowed.`)
}

// UnsupportedMediaType writes DRF's 415.
func UnsupportedMediaType(w http.ResponseWriter, contentType string) {
	Detail(w, http.StatusUnsupportedMediaType, `Unsupported media type "`+contentType+`" in request.`)
}

// Throttled writes DRF's 429 with Retry-After, in whole seconds rounded up.
func Throttled(w http.ResponseWriter, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	Detail(w, http.StatusTooManyRequests, "Request was throttled. Expected available in "+strconv.Itoa(secs)+" "+unit+".")
}

// Unavailable writes a 503: a backend needed for the decision is down.
func Unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	Detail(w, http.StatusServiceUnavailable, ServiceUnavailable)
}

// Internal writes a 500 that reveals nothing.
func Internal(w http.ResponseWriter) { Detail(w, http.StatusInternalServerError, InternalServerError) }

// FieldErrors collects validation errors per field, DRF's 400 shape:
// {"title": ["This field is required."]}. Non-field errors go under
// "non_field_errors".
type FieldErrors map[string][]string

// Add records msg against field.
func (e FieldErrors) Add(field, msg string) { e[field] = append(e[field], msg) }

// Empty reports whether no error was recorded.
func (e FieldErrors) Empty() bool { return len(e) == 0 }

// Fields returns the field names with errors, sorted.
func (e FieldErrors) Fields() []string {
	names := make([]string, 0, len(e))
	for k := range e {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Write writes the errors as a 400.
func (e FieldErrors) Write(w http.ResponseWriter) {
	JSON(w, http.StatusBadRequest, map[string][]string(e))
}
