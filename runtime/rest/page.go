package rest

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/jsonw"
)

// PageNumber reads ?page=N: 1 when absent; ok is false (and 404 "Invalid
// page." is written) when it is not a positive integer.
func PageNumber(w http.ResponseWriter, r *http.Request) (int, bool) {
	q := r.URL.Query()
	if _, has := q["page"]; !has {
		return 1, true
	}
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 || n > 1<<30 {
		drf.Detail(w, http.StatusNotFound, drf.InvalidPage)
		return 0, false
	}
	return n, true
}

// Page is DRF's PageNumberPagination body.
type Page[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// AppendJSON appends p as json.Marshal encodes it, each result through
// its own AppendJSON when it has one.
func (p Page[T]) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"count":`...)
	b = strconv.AppendInt(b, int64(p.Count), 10)
	b = appendLinks(append(b, ','), p.Next, p.Previous)
	return appendResults(b, p.Results)
}

// appendLinks appends the next and previous members of a page.
func appendLinks(b []byte, next, previous *string) []byte {
	b = append(b, `"next":`...)
	b = jsonw.AppendStringPtr(b, next)
	b = append(b, `,"previous":`...)
	return jsonw.AppendStringPtr(b, previous)
}

// appendResults appends the results member of a page, its last, and the
// page's closing brace.
func appendResults[T any](b []byte, results []T) ([]byte, error) {
	b = append(b, `,"results":`...)
	b, err := jsonw.AppendArray(b, results)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// WritePage writes one page of a list. A page past the end (other than
// page 1 of an empty list) is 404 "Invalid page.". next and previous are
// absolute URLs built from the request's Host; the scheme is https only
// when the connection is TLS.
func WritePage[T any](w http.ResponseWriter, r *http.Request, page, size, count int, results []T) {
	last := (count + size - 1) / size
	if last < 1 {
		last = 1
	}
	if page > last {
		drf.Detail(w, http.StatusNotFound, drf.InvalidPage)
		return
	}
	if results == nil {
		results = []T{}
	}
	p := Page[T]{Count: count, Results: results}
	if page < last {
		s := pageURL(r, page+1)
		p.Next = &s
	}
	if page > 1 {
		s := pageURL(r, page-1)
		p.Previous = &s
	}
	drf.JSON(w, http.StatusOK, p)
}

func pageURL(r *http.Request, page int) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := r.URL.Query()
	if page == 1 {
		q.Del("page") // as DRF: the first page has no page parameter
	} else {
		q.Set("page", strconv.Itoa(page))
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// Offset is the row offset of page for the page size.
func Offset(page, size int) int { return (page - 1) * size }
