// Package oascheck validates HTTP exchanges against an OpenAPI 3.1
// document with an independent library (pb33f's libopenapi and
// libopenapi-validator, which read OpenAPI 3.1 and JSON Schema 2020-12;
// kin-openapi reads 3.0 only). End-to-end tests put its Transport under
// their clients: every request the server accepted and every response
// must match the document, and the test binary fails on any mismatch.
package oascheck

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	vErrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
)

// Checker validates exchanges and counts them.
type Checker struct {
	mu sync.Mutex
	v  validator.Validator
	// Requests and Responses count the validated messages; Undocumented
	// the exchanges on a route or method the document does not have that
	// the service refused (see refused).
	Requests, Responses, Undocumented int
	Mismatches                        []string
}

// New reads doc and checks that it is a valid OpenAPI document.
func New(doc []byte) (*Checker, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return nil, fmt.Errorf("oascheck: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("oascheck: invalid document: %s", text(verrs))
	}
	return &Checker{v: v}, nil
}

func text(errs []*vErrors.ValidationError) string {
	var parts []string
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		for _, se := range e.SchemaValidationErrors {
			s += " [" + se.FieldPath + ": " + se.Reason + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// Check validates one exchange: the request when the server accepted it
// (a refused request is expected not to match), the response always.
// Both bodies are given read; req and resp are not consumed.
func (c *Checker) Check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	rs := *resp
	rs.Body = io.NopCloser(bytes.NewReader(respBody))
	rs.Request = r
	key := req.Method + " " + req.URL.RequestURI() + " -> " + resp.Status
	if resp.StatusCode < 400 {
		if ok, errs := c.v.ValidateHttpRequest(r); !ok {
			if undocumented(errs) {
				c.Mismatches = append(c.Mismatches, key+": undocumented route: "+text(errs))
				return
			}
			c.Mismatches = append(c.Mismatches, key+": request: "+text(errs))
		}
		c.Requests++
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	ok, errs := c.v.ValidateHttpResponse(r, &rs)
	switch {
	case !ok && undocumented(errs) && refused(resp.StatusCode):
		c.Undocumented++
	case !ok:
		c.Mismatches = append(c.Mismatches, key+": response "+strings.TrimSpace(string(respBody))+": "+text(errs))
	default:
		c.Responses++
	}
}

// refused: the answers of a route or method the service does not have
// (404, 405), or of the permission's request check made before the 405
// (401, 403), as DRF's views answer.
func refused(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed:
		return true
	}
	return false
}

func undocumented(errs []*vErrors.ValidationError) bool {
	for _, e := range errs {
		if e.ValidationType == helpers.PathValidation || e.ValidationSubType == helpers.ValidationMissingOperation {
			return true
		}
	}
	return false
}

// Transport validates every exchange made through next.
func (c *Checker) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{c, next}
}

type roundTripper struct {
	c    *Checker
	next http.RoundTripper
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	t.c.Check(req, body, resp, rb)
	return resp, nil
}

// Report summarises the counts and lists each distinct mismatch once.
func (c *Checker) Report() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	var list []string
	for _, m := range c.Mismatches {
		if !seen[m] {
			seen[m] = true
			list = append(list, m)
		}
	}
	sort.Strings(list)
	s := fmt.Sprintf("openapi: %d requests and %d responses validated, %d refused undocumented routes, %d mismatches",
		c.Requests, c.Responses, c.Undocumented, len(c.Mismatches))
	for _, m := range list {
		s += "\n  " + m
	}
	return s
}

// Failed reports whether any exchange mismatched.
func (c *Checker) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.Mismatches) > 0
}
