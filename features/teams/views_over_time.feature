Feature: Views over time, last seen and Blockiert
  Every view a step can check — a user's presence, what a colleague, a
  federated user or a viewer's client shows — can be checked now ("is"),
  over a stretch of time ("stays … until", at every event up to then) and
  as a bound ("within"). People inside the organisation see a "last seen"
  time beside Away and Offline (seed 003 «Zuletzt gesehen», T-STATE-2); the
  person who blocks someone sees "Blockiert" for them (seed 000, T-FED-3).

  Background:
    Given it is 09:00
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And dave is a federated user from fabrikam

  @T-CALL-1 @T-CAL-1
  Scenario: A call stays In a call through a meeting that starts during it
    Given alice has a meeting from 09:30 to 10:30
    When alice and bob are in a Teams call
    Then alice's presence stays Busy/InACall until 09:45
    When the call ends
    Then alice's presence stays Busy/InAMeeting until 10:30
    And alice's presence is Available

  @T-FED-1
  Scenario: The federated view stays Busy through a call and a meeting that follows it
    Given alice has a meeting from 09:20 to 10:00
    When alice and bob are in a Teams call
    Then a federated user sees alice as Busy until 09:30
    And dave sees alice as Busy until 09:40
    When the call ends
    Then bob sees alice as Busy/InAMeeting until 10:00

  @T-PROP-1
  Scenario: A web client shows the old presence until its next refresh, within its bound
    Given it is 09:10
    And bob's web client shows alice as Available
    When alice and bob are in a Teams call
    Then within 5 minutes bob's web client shows alice as Busy/InACall
    And bob's web client shows alice as Busy/InACall until 09:40

  @T-ACT-2 @T-FED-1
  Scenario: "Within" for the presence, a viewer and a federated user
    Given alice signs out of Teams on mobile
    And alice signs in to Teams on desktop
    Then within 5 minutes alice's presence is Away
    And it is 09:05
    When alice uses her desktop client
    Then within 6 minutes bob sees alice as Away
    And within 1 second a federated user sees alice as Away

  @T-STATE-2 @T-ACT-2
  Scenario: Colleagues see when alice was last seen beside Away and Offline
    When it is 09:20
    And alice uses her mobile client
    And it is 09:30
    And alice sends the mobile app to the background
    Then bob sees alice as Away, last seen 09:20
    And bob sees alice as Weg, zuletzt gesehen 09:20
    And dave sees alice as Away
    When alice signs out of Teams on mobile
    Then bob sees alice as Offline, last seen 09:20
    When alice signs in to Teams on mobile
    Then bob sees alice as Available

  @T-FED-3
  Scenario: The person who blocks sees Blockiert; the blocked person sees Offline
    When alice blocks bob
    Then alice sees bob as Blockiert
    And bob sees alice as Offline
    And dave sees alice as Available
    And bob sees alice as Offline until 09:03
