# English messages of the site. Every key here must exist in ../th/main.ftl (a test checks).
service-name = Rabfang
service-tagline = Public consultations on draft laws
skip-link = Skip to main content
nav-label = Main menu
nav-consultations = Consultations
nav-drafts = Draft laws
nav-search = Search
language-switch = ภาษาไทย
language-switch-label = อ่านหน้านี้เป็นภาษาไทย
footer-about = About Rabfang
footer-api = API and open data
footer-licence = The texts of drafts and published comments are free to reuse
unofficial-translation = English translations are unofficial; the Thai text is authoritative

home-title = Public consultations on draft laws
home-lead = Read draft laws and comment on them before government agencies submit them to the Cabinet or Parliament
home-open-heading = Open for comment
home-open-empty = No consultation is open right now
home-summaries-heading = Recently published hearing summaries
home-summaries-empty = No hearing summary has been published yet
home-all-consultations = See all consultations
days-left = { $days ->
    [0] closes today
    [one] 1 day left
   *[other] { $days } days left
}
closes-on = Closes { $date }
opens-on = Opens { $date }
summary-published-on = Summary published { $date }

search-label = Search draft laws, provisions and comments
search-button = Search
search-title = Search
search-results = { $count ->
    [one] 1 result
   *[other] { $count } results
}
search-empty = Nothing found. Try fewer words, check the spelling, or use a word with a similar meaning
search-kind-draft = Draft law
search-kind-provision = Provision
search-kind-consultation = Consultation
search-kind-comment = Comment

consultations-title = Consultations
consultations-empty = No consultation matches the filters
filter-heading = Filter
filter-status = Status
filter-kind = Kind
filter-law-type = Type of law
filter-any = Any
filter-apply = Apply filters
next-page = Next page
pagination-label = Pages

status-scheduled = Scheduled
status-open = Open for comment
status-closed = Closed
status-concluded = Summary published
kind-principles = Principles of a draft law
kind-draft = Draft text
kind-evaluation = Evaluation of a law in force

draft-status-preparing = In preparation
draft-status-in_consultation = In consultation
draft-status-consulted = Consulted
draft-status-submitted = Submitted
draft-status-enacted = Enacted
draft-status-withdrawn = Withdrawn
law-type-act = Act
law-type-royal_decree = Royal Decree
law-type-ministerial_regulation = Ministerial Regulation
law-type-rule = Rule
law-type-notification = Notification
law-type-plan = Plan

consultation-draft = Draft consulted on
consultation-agency = Agency
consultation-kind = Kind
consultation-dates = Dates
consultation-version = version { $version }
consultation-period = { $days } days
consultation-fifteen-days = The law requires at least 15 days of consultation on the central system
consultation-short-reason = This consultation is shorter than 15 days. The agency's reason
consultation-announced = Dates announced { $date }
consultation-questions = The agency's questions
consultation-no-questions = The agency asked no questions; comment on the draft directly
consultation-read-draft = Read the draft
consultation-not-open-scheduled = This consultation is not open yet. It opens on { $date }
consultation-not-open-closed = This consultation is closed
consultation-not-open-concluded = This consultation has ended and the agency has published its hearing summary
question-required = Required
question-kind-single_choice = Choose one
question-kind-multiple_choice = Choose one or more
question-kind-scale = A scale from 1 to 5
question-kind-text = Answer in words

draft-agency = Agency
draft-law-type = Type
draft-status = Status
draft-version = Version { $version }
draft-published-on = This version was published { $date }
draft-contents = Contents
draft-text = Text of the draft
draft-no-version = This draft has no published version yet
draft-consultations = Consultations on this draft
draft-summary = Summary
draft-provision-link = Permanent link to this provision
draft-unchaptered = Provisions

not-found-title = Page not found
not-found-body = If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address
not-found-home = Go to the home page
error-title = Sorry, there is a problem with the service
error-body = Try again later. A comment that was sent and given a tracking number is not lost

sign-in-link = Sign in
sign-out = Sign out
sign-in-title = Sign in
sign-in-intro = To comment you need to sign in. Reading needs no account. Enter your e-mail address and we will send you a link that signs you in.
sign-in-email-hint = We use it to sign you in and to send your receipts. We never publish it.
sign-in-send = Send me a sign-in link
sign-in-no-password = There is no password. The link works once, within 15 minutes.
sign-in-sent-title = Check your e-mail
sign-in-sent-body = If { $email } can receive mail, a sign-in link is on its way to it.
sign-in-sent-hint = Open the link within 15 minutes, on any device, then press "Sign in". If nothing arrives, look in your spam folder.
sign-in-sent-again = Ask for a new link
sign-in-confirm-title = Sign in to Rabfang
sign-in-confirm-body = Press the button to finish signing in.
sign-in-button = Sign in
sign-in-expired-title = This sign-in link cannot be used
sign-in-expired-body = The link has expired or was already used. Links work once, within 15 minutes of being sent.
sign-in-limited-title = Too many sign-in requests
sign-in-limited-body = Too many sign-in links were asked for from this network. Wait 15 minutes and try again.
form-expired-title = This form has expired
form-expired-body = For your security the form could not be accepted and nothing was saved. Go back, reload the page and send it again.
form-too-large-title = The form is too large
form-too-large-body = Nothing was saved. Shorten your text and send it again.
error-summary-title = There is a problem
field-generic = This answer
field-email = E-mail address
field-body = Your comment
field-stance = Your view of the draft
field-provision = What your comment is about
field-respondent_type = You are commenting as
field-organisation_name = Name of the organisation
field-province = Province
field-publication = What we publish
field-tracking_number = Tracking number
field-secret = Receipt secret
field-error-required = enter an answer
field-error-too_long = the text is too long
field-error-control_character = remove the control characters
field-error-bidi_control = remove the invisible direction marks
field-error-invalid_value = this answer is not valid
field-error-too_many = there are too many answers
field-error-not_found = choose one of the listed answers
field-error-duplicate = answer each question once
field-error-out_of_range = choose a value from 1 to 5
comment-title = Send your comment
comment-sign-in = Sign in to comment
comment-whole-draft = The whole draft
comment-body-hint = Write in Thai or English. You can use up to { $max } characters.
comment-notify = E-mail me when the agency publishes its hearing summary
comment-send = Send comment
comment-already-sent = This form was already sent with different text. Reload the page to write a new comment
question-optional = optional
question-scale-hint = 1 means strongly disagree, 5 means strongly agree
stance-support = I support the draft
stance-oppose = I oppose the draft
stance-neutral = Neither, or some parts
respondent-individual = Myself
respondent-organisation = An organisation or association
respondent-business = A business
respondent-government = A government body
respondent-academic = An academic institution
publication-anonymous = Publish without my name
publication-named = Publish with my name
publication-private = Do not publish
publication-anonymous-explained = Your comment is published without your name or e-mail. The agency counts it and answers it.
publication-named-explained = Your comment is published with your name. Your e-mail is never published.
publication-private-explained = Only the agency reads your comment. It is counted in the statistics and considered in the hearing summary, but its text is not published.
receipt-title = Comment received
receipt-number = Your tracking number
receipt-secret = Secret to follow it without signing in:
receipt-received = Received
receipt-next-title = What happens next
receipt-next-body = The agency reads every comment. When the consultation closes it publishes a hearing summary that says what it did with the comments on each provision.
receipt-keep = Keep this page (print it or save it): with the tracking number and the secret anyone can follow what happens to this comment.
receipt-track-link = Follow this comment
track-title = Follow a comment
track-form-title = Follow a comment by its tracking number
track-secret-hint = The secret printed on your receipt. Not needed if you are signed in as the comment's author.
track-button = Show
track-not-found = No comment matches this tracking number and secret. Check both and try again
track-received = Received
track-private = You asked us not to publish it; the agency reads it and counts it
track-published = Published
track-hidden = Hidden from the public by a moderator
track-hidden-reason = The moderator's reason:
track-cluster = { $size ->
    [one] Grouped with one comment of the same text
   *[other] Grouped in a campaign of { $size } comments with the same text
}
track-response = The agency's response:
track-no-response = The agency has not responded yet
decision-accepted = Accepted
decision-partly_accepted = Partly accepted
decision-not_accepted = Not accepted
subscribe-title = Get e-mail updates
subscribe-intro = We e-mail you when a consultation opens, a week before it closes, and when the agency publishes its hearing summary. You can stop at any time.
subscribe-agency = Agency to follow
subscribe-button = Subscribe
subscribe-sent-body = If { $email } can receive mail, we sent it a link to confirm the subscription.
subscribe-sent-hint = Nothing is sent to you until you confirm. If nothing arrives, look in your spam folder.
subscription-kind-agency = Agency
subscription-kind-topic = Topic
subscription-kind-draft = Draft law
subscription-confirm-title = Confirm your subscription
subscription-confirm-body = Press the button to start getting e-mail updates.
subscription-confirm-button = Confirm
subscription-confirmed-title = Subscription confirmed
subscription-confirmed-body = You will get e-mail updates. Every e-mail has a link to stop them.
unsubscribe-title = Stop e-mail updates
unsubscribe-body = Press the button and we will stop sending these e-mails.
unsubscribe-button = Unsubscribe
unsubscribed-title = You are unsubscribed
unsubscribed-body = We will not send you these e-mails again.
subscription-link-expired-title = This link no longer works
subscription-link-expired-body = The subscription was already cancelled, or the link was replaced by a newer one.
home-subscribe = Get e-mail updates about consultations
draft-comment-on = Comment on { $label }
account-title = Your account
account-link = Your account
account-comments = Your comments
account-no-comments = You have not sent a comment yet
account-subscriptions = Your e-mail updates
account-no-subscriptions = You get no e-mail updates
account-unconfirmed = not confirmed yet
account-data = Your data
account-data-body = Download a copy of everything Rabfang holds about you: your account, your comments and what became of them, your subscriptions and when you signed in.
account-data-link = Download my data (JSON)
footer-privacy = Privacy
footer-accessibility = Accessibility
comments-title = Published comments
comments-link = Read the published comments
comments-any-provision = The whole draft and every provision
comments-any-stance = Any view
comments-empty = No comment matches. Comments that their authors asked not to publish, and comments hidden by a moderator, are not shown
comments-anonymous = Published without a name
comments-campaign = { $size ->
    [one] One comment with this text
   *[other] { $size } comments with this same text (a campaign)
}
results-title = Results
results-link = Statistics and the hearing summary
results-summary = Hearing summary
results-no-summary = The agency has not published its hearing summary yet. It does so after the consultation closes
results-statistics = Statistics
results-total = { $count ->
    [one] One comment received
   *[other] { $count } comments received
}
results-campaigns = { $count ->
    [one] One campaign of comments with the same text
   *[other] { $count } campaigns of comments with the same text
}
results-computed = counted { $date }
results-not-computed = The statistics have not been counted yet
results-not-given = Not given
results-by-provision = Comments by provision
results-by-day = Comments per day
results-value = Answer
results-count = Comments
agencies-title = Agencies
nav-agencies = Agencies
agency-follow = Follow this agency by e-mail
agency-no-open = This agency has no consultation open now
agency-no-drafts = This agency has published no draft yet
agency-all-drafts = All drafts of this agency
filter-agency = Agency
filter-topic = Topic
changes-title = Changes between versions
changes-from = From
changes-to = To
changes-compare = Compare
changes-count = { $count ->
    [one] One provision changed
   *[other] { $count } provisions changed
}
changes-unchanged = { $count ->
    [one] one unchanged
   *[other] { $count } unchanged
}
changes-legend = Added words are underlined on green; removed words are struck through on red.
change-added = Added
change-removed = Removed
change-changed = Changed
draft-versions = Version
draft-show-version = Show this version
draft-see-changes = See what changed between versions
laws-title = Laws in force
nav-laws = Laws in force
laws-lead = Every law is evaluated at least every five years. Anyone may ask, with a reason, for a law to be evaluated sooner.
laws-empty = No law in force is registered yet
law-in-force-since = in force since { $date }
law-evaluation-due = next evaluation by { $date }
law-requests = { $count ->
    [one] One request for an early evaluation
   *[other] { $count } requests for an early evaluation
}
law-in-force = In force since
law-last-evaluated = Last evaluated
law-next-evaluation = Next evaluation due
law-ask-title = Ask for an early evaluation
law-ask-intro = Say why this law should be evaluated before its date: what does not work, whom it burdens, what changed. Your reason is published; your name is not.
law-asked = Thank you. Your request is recorded and its reason is published below; the agency responsible is told.
law-reason = Your reason
law-reason-hint = At least { $min } characters.
law-ask-button = Ask for an evaluation
law-sign-in = Sign in to ask for an evaluation
law-no-requests = Nobody has asked yet
law-already-asked = You have already asked for this law to be evaluated
field-reason = Your reason
field-error-too_short = write a little more
timeline-title = Where this draft is
timeline-done = done
timeline-preparation = Preparation
timeline-hearing = Public hearing
timeline-summary = Hearing summary
timeline-assessment = Impact assessment
timeline-submitted = Submitted to the Cabinet
assessment-title = Regulatory impact assessment
assessment-link = Read the regulatory impact assessment
assessment-published-on = Published { $date }
assessment-data = The same assessment as data (JSON)
search-kinds = Show
search-help-thai = Thai words are found inside longer words: try a shorter word (คุ้มครอง instead of การคุ้มครองข้อมูล).
search-help-filters = Clear the filters below the search box: they narrow the results.
sign-in-or = Or sign in with your digital identity
sign-in-with = Sign in with { $name }
sign-in-with-hint = We receive only an identifier for you from the provider, never your national ID number.
oidc-unavailable-title = Digital ID sign-in is not available right now
oidc-unavailable-body = The identity provider could not be reached. Try again in a few minutes, or sign in with your e-mail address.
oidc-failed-title = Signing in did not finish
oidc-failed-body = The sign-in was cancelled, took too long, or could not be checked. Nothing was changed. Start again from the sign-in page.
character-count = You have %n characters left
