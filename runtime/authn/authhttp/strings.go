package authhttp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/jsonbody"
)

// maxStringsBody bounds a body ParseStrings reads.
const maxStringsBody = 4 << 10

// ParseStrings reads a JSON object of the named string fields, as
// ParseLogin reads the login body: 415 for another media type, 400 for bad
// JSON, and DRF's field errors for missing, null, blank or non-string
// fields. Values are as sent, not trimmed (passwords keep their spaces).
// It answers the request itself when it returns false. The account and
// second-factor endpoints read their bodies with it.
func ParseStrings(w http.ResponseWriter, r *http.Request, names ...string) (map[string]string, bool) {
	if ct := r.Header.Get("Content-Type"); !jsonbody.IsJSON(ct) {
		drf.UnsupportedMediaType(w, ct)
		return nil, false
	}
	vals, fe, err := DecodeStrings(io.LimitReader(r.Body, maxStringsBody+1), names...)
	if err != nil {
		drf.Detail(w, http.StatusBadRequest, drf.MalformedJSON+" - "+err.Error())
		return nil, false
	}
	if !fe.Empty() {
		fe.Write(w)
		return nil, false
	}
	return vals, true
}

// DecodeStrings is ParseStrings without HTTP: an error's text is fit for
// the client.
func DecodeStrings(rd io.Reader, names ...string) (map[string]string, drf.FieldErrors, error) {
	body, err := io.ReadAll(rd)
	if err != nil {
		return nil, nil, errors.New("could not read the request body")
	}
	if len(body) > maxStringsBody {
		return nil, nil, errors.New("body too large")
	}
	if msg := jsonbody.Check(body); msg != "" {
		return nil, nil, errors.New(msg)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, nil, errors.New(jsonbody.InvalidJSON)
	}
	vals, fe := map[string]string{}, drf.FieldErrors{}
	for _, name := range names {
		v, ok := raw[name]
		var s string
		switch {
		case !ok:
			fe.Add(name, drf.FieldRequired)
		case string(v) == "null":
			fe.Add(name, drf.FieldNull)
		case json.Unmarshal(v, &s) != nil:
			fe.Add(name, "Not a valid string.")
		case strings.TrimSpace(s) == "":
			fe.Add(name, drf.FieldBlank)
		case jsonbody.HasNull(s):
			fe.Add(name, jsonbody.NullCharacters)
		default:
			vals[name] = s
		}
	}
	return vals, fe, nil
}
