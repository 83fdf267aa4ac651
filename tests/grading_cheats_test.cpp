// Designs that try to pass a graded problem without solving it (issue 16,
// the hostile checker): each case is a cheat that used to pass, and the
// general rule of spec/contract.cpp or report/grade.cpp that now refuses or
// fails it.
#include <doctest/doctest.h>

#include <string>

#include "archsim/load.hpp"
#include "graded_problems.hpp"
#include "report/grade.hpp"

using namespace archsim;
using namespace archsim::test;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// slow-endpoint's naive design with the 4-second scan written as `STEP`.
std::string slow_endpoint_with(const std::string& scan) {
  return R"(components:
  api:
    kind: service
    instance: m6i.large
    steps:
      - work: handle
)" + scan +
         R"(
      - call: db
        query: order
      - repeat: 40
        steps: [{call: db, query: item}]
  db: {kind: database, data: shop, instance: db.r6g.4xlarge}
)";
}

}  // namespace

TEST_SUITE("grading") {
  TEST_CASE("a read or work nobody waits for answers nothing (was: slow-endpoint passed at 100/100)") {
    const std::string off_path = "runs 0% of it before it answers (it runs 100% in all)";
    SUBCASE("the scan fired and forgotten") {
      const std::string m =
          refusal("slow-endpoint", slow_endpoint_with("      - async: db\n        query: customer_by_email"));
      INFO(m);
      CHECK(has(m, "test.yaml:2:3: error: a request of 'agents' must run 'shop.customer_by_email'"));
      CHECK(has(m, off_path));
    }
    SUBCASE("the scan in a parallel block that waits for the first reply only") {
      const std::string m =
          refusal("slow-endpoint",
                  slow_endpoint_with(
                      "      - parallel: [{call: db, query: customer_by_email}, {call: db, query: read}]\n"
                      "        wait: 1"));
      INFO(m);
      CHECK(has(m, "must run 'shop.customer_by_email'"));
      CHECK(has(m, off_path));
      // Waiting for both is the scan on the path: accepted.
      CHECK(refusal("slow-endpoint",
                    slow_endpoint_with("      - parallel: [{call: db, query: customer_by_email}, {call: db, "
                                       "query: read}]")) == "");
    }
    SUBCASE("the scan timed out after 1 ms and answered by its fallback") {
      const std::string m = refusal(
          "slow-endpoint",
          slow_endpoint_with("      - call: db\n        query: customer_by_email\n        timeout: 1ms\n"
                             "        fallback: [{work: handle}]"));
      INFO(m);
      CHECK(has(m, "must run 'shop.customer_by_email'"));
      // A fallback that runs the same query elsewhere is still the operation.
      CHECK(refusal("slow-endpoint", slow_endpoint_with("      - call: db\n        query: customer_by_email\n"
                                                        "        timeout: 5s\n"
                                                        "        fallback: [{call: db, query: "
                                                        "customer_by_email}]")) == "");
    }
    SUBCASE("the card charged by a queue's consumer after the checkout was answered") {
      const std::string m = refusal("payments", R"(components:
  payments:
    kind: service
    instance: m6i.large
    steps: [{work: payment_logic}, {publish: charges}]
  charges: {kind: queue, consumer: charger}
  charger:
    kind: service
    replicas: 10
    instance: m6i.large
    steps: [{call: psp, timeout: 30s}, {work: record}]
)");
      INFO(m);
      CHECK(has(m, "must run 'psp_charge'"));
      CHECK(has(m, "must run 'record'"));
    }
    SUBCASE("a write may be handed off: the library's outbox and fan-out designs still load") {
      CHECK_NOTHROW(load_design("monolith-to-microservices", "good"));
      CHECK_NOTHROW(load_design("social-feed", "good"));
    }
  }
}
