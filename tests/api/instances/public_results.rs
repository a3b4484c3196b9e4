//! The cached public results follow a change made on the other server.

use serde_json::{Value, json};

use super::{Pair, items};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_public_results_follow_a_change_made_on_the_other_server() {
    let Some(pair) =
        Pair::start("the_public_results_follow_a_change_made_on_the_other_server").await
    else {
        return;
    };
    let admin = pair.admin().await;
    let manual = pair
        .get_ok(0, &admin, "/api/v1/indicators?source=manual&limit=200")
        .await;
    let oo1 = items(&manual)
        .iter()
        .find(|i| i["code"] == "OO.1")
        .expect("OO.1 is manual")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Each server computes the public results once, and keeps them in its memory until the
    // data changes: a change on the other server must be seen too.
    let actual = |results: &Value| -> Value {
        fn find(results: &[Value]) -> Option<Value> {
            results.iter().find_map(|r| {
                r["indicators"]
                    .as_array()
                    .and_then(|i| i.iter().find(|i| i["code"] == "OO.1"))
                    .map(|i| i["actual"].clone())
                    .or_else(|| find(r["children"].as_array()?))
            })
        }
        find(results["results"].as_array().expect("results")).expect("OO.1 is public")
    };
    for i in 0..2 {
        assert_eq!(
            actual(&pair.get_ok(i, &admin, "/api/v1/public/results").await),
            Value::Null
        );
    }
    for (writer, (start, end, value)) in [
        ("2026-01-01", "2026-03-31", 7),
        ("2026-04-01", "2026-06-30", 9),
    ]
    .into_iter()
    .enumerate()
    {
        pair.created(
            writer,
            &admin,
            &format!("/api/v1/indicators/{oo1}/measurements"),
            json!({"period_start": start, "period_end": end, "value": value,
                   "source": "Two servers", "comment": "Measured."}),
        )
        .await;
        for i in 0..2 {
            let results = pair.get_ok(i, &admin, "/api/v1/public/results").await;
            assert_eq!(
                actual(&results).as_f64(),
                Some(f64::from(value)),
                "server {i} after a measurement recorded on server {writer}"
            );
        }
    }
}
