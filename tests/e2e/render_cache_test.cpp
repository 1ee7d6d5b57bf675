// Renderings of a procedure version over real HTTP: each answers with the version's ETag, a
// request that names it in If-None-Match gets 304 without a body, any other request gets the
// same bytes as the first, and a change of the version's state gives a new ETag (a client
// holding the old one gets the new rendering, never a stale 304).

#include "support/host_test.h"
#include "support/procedure_drafts.h"

namespace boligflyt::e2e {
namespace {

using boligflyt::testing::draft_revision;

class RenderCacheTest : public HostTest {
 protected:
  HttpResult get_with(const std::string& target, const std::string& if_none_match) {
    Headers headers = bearer(token("ansatt-nav"));
    if (!if_none_match.empty()) headers.emplace_back("If-None-Match", if_none_match);
    return http_request(host_->port(), "GET", target, headers);
  }
  const std::string base_ = "/api/v1/procedures/boligflytprosedyre/versions";
};

TEST_F(RenderCacheTest, PublishedRenderingsAnswerIfNoneMatchWith304AndOtherwiseTheSameBytes) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  for (const char* rendering : {"/document", "/diagram.svg", "/bpmn"}) {
    SCOPED_TRACE(rendering);
    const std::string target = base_ + "/3.0" + rendering;
    const auto first = get_with(target, "");
    ASSERT_EQ(first.status, 200u) << first.body;
    const std::string etag = first.header("ETag");
    ASSERT_FALSE(etag.empty());
    ASSERT_GT(first.body.size(), 100u);

    const auto again = get_with(target, "");
    EXPECT_EQ(again.status, 200u);
    EXPECT_EQ(again.header("ETag"), etag);
    EXPECT_EQ(again.body, first.body) << "the second rendering differs from the first";

    const auto not_modified = get_with(target, etag);
    EXPECT_EQ(not_modified.status, 304u);
    EXPECT_TRUE(not_modified.body.empty());
    EXPECT_EQ(not_modified.header("ETag"), etag);
    EXPECT_EQ(get_with(target, "\"other\", W/" + etag).status, 304u) << "a list, weak form";
    EXPECT_EQ(get_with(target, "*").status, 304u);

    const auto other = get_with(target, "\"1-0000\"");
    EXPECT_EQ(other.status, 200u);
    EXPECT_EQ(other.body, first.body);
  }
  EXPECT_EQ(get_with(base_ + "/9.9/document", "*").status, 404u) << "no 304 for what is not there";
}

TEST_F(RenderCacheTest, AChangedVersionGetsANewETagAndItsNewRendering) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  Headers owner = bearer(token("prosedyreeier"));
  owner.emplace_back("Content-Type", "application/xml");
  const auto upload = http_request(host_->port(), "POST", base_, owner, draft_revision());
  ASSERT_EQ(upload.status, 201u) << upload.body;
  const std::string target = base_ + "/" + boligflyt::testing::kDraftVersion + "/document";
  const auto draft = get_with(target, "");
  ASSERT_EQ(draft.status, 200u) << draft.body;
  const std::string draft_etag = draft.header("ETag");
  ASSERT_EQ(get_with(target, draft_etag).status, 304u);

  Headers json = bearer(token("prosedyreeier"));
  json.emplace_back("Content-Type", "application/json");
  json.emplace_back("If-Match", upload.header("ETag"));
  const auto hearing = http_request(
      host_->port(), "POST", base_ + "/" + boligflyt::testing::kDraftVersion + "/consultation",
      json, R"({"deadline":"2099-12-31"})");
  ASSERT_EQ(hearing.status, 200u) << hearing.body;

  const auto after = get_with(target, draft_etag);
  EXPECT_EQ(after.status, 200u) << "the old ETag must not get 304 for a changed version";
  EXPECT_NE(after.header("ETag"), draft_etag);
  EXPECT_FALSE(after.body.empty());
}

}  // namespace
}  // namespace boligflyt::e2e
